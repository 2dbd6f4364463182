/**
 * The kubeconfig's contexts, found the way kubectl (and the package's `connect`) finds them:
 * the `KUBECONFIG` list (missing files skipped, the first current-context wins), else
 * `~/.kube/config`.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

import type { FluxAzdoApi } from './flux';

export interface KubeContexts {
  contexts: { name: string; cluster: string }[];
  current: string;
}

export async function readKubeContexts(api: FluxAzdoApi, env: NodeJS.ProcessEnv = process.env): Promise<KubeContexts> {
  const files = env.KUBECONFIG
    ? env.KUBECONFIG.split(delimiter).filter((f) => f && existsSync(f))
    : [join(env.HOME || homedir(), '.kube', 'config')].filter((f) => existsSync(f));
  if (files.length === 0) {
    throw new api.FluxAzdoError('KUBECONFIG_INVALID', 'No kubeconfig found: set KUBECONFIG or create ~/.kube/config (e.g. with az aks get-credentials).', {
      option: 'kubeconfig',
    });
  }
  const { KubeConfig } = await import('@kubernetes/client-node/dist/config.js');
  const seen = new Map<string, string>();
  let current = '';
  for (const file of files) {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (err) {
      throw new api.FluxAzdoError('KUBECONFIG_INVALID', `Cannot read kubeconfig ${file}: ${err instanceof Error ? err.message : String(err)}`, {
        option: 'kubeconfig',
        cause: err,
      });
    }
    current ||= kc.getCurrentContext() ?? '';
    for (const c of kc.getContexts()) if (!seen.has(c.name)) seen.set(c.name, c.cluster);
  }
  if (seen.size === 0) {
    throw new api.FluxAzdoError('KUBECONFIG_INVALID', `No contexts in ${files.join(', ')}.`, { option: 'context' });
  }
  return { contexts: [...seen].map(([name, cluster]) => ({ name, cluster })), current };
}
