/**
 * What both commands ask first — repository, branch, path, how the cluster authenticates — and
 * the package options it makes, with the settings folded in.
 */
import type { BootstrapOptions, Repo } from 'flux-azdo' with { 'resolution-mode': 'import' };

import type { FluxAzdoApi } from './flux';
import { askAuth, askBranch, askPath, askRepository, askWorkloadIdentity, type AuthMethod, type WorkloadIdentityAnswer } from './prompts';
import type { Settings } from './settings';

export interface SyncTarget {
  repo: Repo;
  url: string;
  branch: string;
  path: string;
  auth: AuthMethod;
  /** With `auth: 'azure'`: the managed identity the controllers sync as. */
  workloadIdentity?: WorkloadIdentityAnswer;
}

export async function askSyncTarget(api: FluxAzdoApi, title: string, settings: Settings): Promise<SyncTarget | undefined> {
  const repository = await askRepository(api, title);
  if (!repository) return undefined;
  const { branch: fluxBranch, secretName } = api.defaults().options;
  const branch = await askBranch(title, fluxBranch);
  if (branch === undefined) return undefined;
  const path = await askPath(title, settings.defaultPath);
  if (path === undefined) return undefined;
  const auth = await askAuth(title, secretName);
  if (!auth) return undefined;
  if (auth === 'azure') {
    const workloadIdentity = await askWorkloadIdentity(title);
    if (!workloadIdentity) return undefined;
    return { repo: repository.repo, url: repository.url, branch, path, auth, workloadIdentity };
  }
  return { repo: repository.repo, url: repository.url, branch, path, auth };
}

/**
 * Token auth pushes and syncs over HTTPS; SSH syncs over SSH and pushes the way the URL says;
 * workload identity syncs over HTTPS (no Secret) and pushes over HTTPS with the PAT.
 */
export function optionsFor(target: SyncTarget, settings: Settings): BootstrapOptions {
  const wi = target.auth === 'azure' ? target.workloadIdentity : undefined;
  return {
    url: target.auth === 'ssh' ? target.url : target.repo.httpsUrl,
    branch: target.branch,
    ...(target.path ? { path: target.path } : {}),
    tokenAuth: target.auth === 'token',
    ...(wi ? { provider: 'azure', workloadIdentityClientId: wi.clientId, workloadIdentityTenantId: wi.tenantId } : {}),
    // Azure DevOps (Services and Server) takes only RSA keys; the core picks RSA by itself only
    // for URLs it recognises, so a generated key is RSA whatever the host name looks like.
    ...(target.auth === 'ssh' ? { sshKeyAlgorithm: 'rsa' as const } : {}),
    ...(settings.manifests ? { manifests: settings.manifests } : {}),
    ...(settings.componentsExtra.length > 0 ? { componentsExtra: settings.componentsExtra } : {}),
    ...(settings.caFile ? { caFile: settings.caFile } : {}),
  };
}

/** An HTTPS push needs the PAT; an SSH push uses the deploy key. The core decides which. */
export function needsPat(api: FluxAzdoApi, options: BootstrapOptions): boolean {
  return api.pushTarget({ url: options.url }).transport === 'https';
}
