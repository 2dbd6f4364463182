/**
 * Loading a kubeconfig the way kubectl does: `--kubeconfig` (one file), else the `KUBECONFIG`
 * list (missing files skipped, the first file to define a name or current-context wins), else
 * `~/.kube/config`; `--context` overrides the current context.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, basename, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { FluxAzdoError } from '../errors.js';
import { errorText } from './client.js';

export interface KubeConfigOptions {
  /** Path of one kubeconfig file (`--kubeconfig`); wins over `KUBECONFIG`. */
  kubeconfig?: string | undefined;
  /** Context name (`--context`); default: the kubeconfig's current-context. */
  context?: string | undefined;
  /** Environment to read `KUBECONFIG` and `HOME` from; default `process.env`. */
  env?: Record<string, string | undefined>;
}

export function loadKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const files = kubeconfigFiles(options.kubeconfig, env);
  const kc = new KubeConfig();
  let currentContext = '';
  for (const file of files) {
    const one = new KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (err) {
      throw new FluxAzdoError('KUBECONFIG_INVALID', `Cannot read kubeconfig ${file}: ${errorText(err)}`, {
        option: 'kubeconfig',
        cause: err,
      });
    }
    if (!currentContext && one.currentContext) currentContext = one.currentContext;
    for (const c of one.clusters) if (!kc.getCluster(c.name)) kc.addCluster(c);
    for (const u of one.users) if (!kc.getUser(u.name)) kc.addUser(u);
    for (const c of one.contexts) if (!kc.getContextObject(c.name)) kc.addContext(c);
  }
  const context = options.context || currentContext;
  if (!context) {
    throw new FluxAzdoError(
      'KUBECONFIG_INVALID',
      `No current context in ${files.join(', ')}; pass --context (one of: ${contextNames(kc)}).`,
      { option: 'context' },
    );
  }
  if (!kc.getContextObject(context)) {
    throw new FluxAzdoError(
      'KUBECONFIG_INVALID',
      `Context "${context}" is not in ${files.join(', ')}; known contexts: ${contextNames(kc)}.`,
      { option: 'context' },
    );
  }
  kc.setCurrentContext(context);
  const ctx = kc.getContextObject(context);
  if (!kc.getCurrentCluster()) {
    throw new FluxAzdoError('KUBECONFIG_INVALID', `Context "${context}" names cluster "${ctx?.cluster}", which is not defined.`, {
      option: 'context',
    });
  }
  if (!kc.getCurrentUser()) {
    throw new FluxAzdoError('KUBECONFIG_INVALID', `Context "${context}" names user "${ctx?.user}", which is not defined.`, {
      option: 'context',
    });
  }
  checkNonInteractiveAuth(kc);
  return kc;
}

/** The namespace the current context selects, if any. */
export function contextNamespace(kc: KubeConfig): string | undefined {
  return kc.getContextObject(kc.getCurrentContext())?.namespace || undefined;
}

function kubeconfigFiles(explicit: string | undefined, env: Record<string, string | undefined>): string[] {
  if (explicit) {
    if (!existsSync(explicit)) {
      throw new FluxAzdoError('KUBECONFIG_INVALID', `The kubeconfig file ${explicit} does not exist.`, {
        option: 'kubeconfig',
      });
    }
    return [explicit];
  }
  const list = env.KUBECONFIG;
  if (list) {
    const files = [...new Set(list.split(delimiter).filter((f) => f.length > 0))].filter((f) => existsSync(f));
    if (files.length === 0) {
      throw new FluxAzdoError('KUBECONFIG_INVALID', `None of the files in KUBECONFIG (${list}) exists.`, {
        option: 'kubeconfig',
      });
    }
    return files;
  }
  const home = env.HOME || env.USERPROFILE || homedir();
  const file = join(home, '.kube', 'config');
  if (!existsSync(file)) {
    throw new FluxAzdoError(
      'KUBECONFIG_INVALID',
      `No kubeconfig: ${file} does not exist and KUBECONFIG is not set. Pass --kubeconfig, or run ` +
        '`az aks get-credentials` first.',
      { option: 'kubeconfig' },
    );
  }
  return [file];
}

function contextNames(kc: KubeConfig): string {
  const names = kc.getContexts().map((c) => c.name);
  return names.length > 0 ? names.join(', ') : '(none)';
}

interface ExecConfig {
  command?: string;
  args?: string[];
  env?: { name: string; value: string }[] | null;
  interactiveMode?: string;
}

/**
 * Exec credential plugins get no terminal from us. kubelogin's devicecode and interactive
 * logins (devicecode is its default) wait for a human, so they would hang: refuse them early.
 */
function checkNonInteractiveAuth(kc: KubeConfig): void {
  const user = kc.getCurrentUser();
  const exec = user?.exec as ExecConfig | undefined;
  if (!exec?.command) return;
  const command = basename(exec.command).replace(/\.exe$/i, '');
  if (command === 'kubelogin') {
    const mode = kubeloginMode(exec);
    if (mode === 'devicecode' || mode === 'interactive') {
      throw new FluxAzdoError(
        'KUBE_AUTH_INTERACTIVE',
        `The kubeconfig user "${user?.name}" logs in with kubelogin in ${mode} mode, which needs a terminal. ` +
          'Run `az login` and then `kubelogin convert-kubeconfig -l azurecli` (or `-l workloadidentity` / ' +
          '`-l spn` in CI), and try again.',
        { option: 'kubeconfig' },
      );
    }
    return;
  }
  if (exec.interactiveMode === 'Always') {
    throw new FluxAzdoError(
      'KUBE_AUTH_INTERACTIVE',
      `The kubeconfig user "${user?.name}" runs the credential plugin ${exec.command} with interactiveMode ` +
        'Always, which needs a terminal. Use a non-interactive login for this context.',
      { option: 'kubeconfig' },
    );
  }
}

function kubeloginMode(exec: ExecConfig): string {
  const args = exec.args ?? [];
  if (!args.includes('get-token')) return 'other';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-l' || arg === '--login') return (args[i + 1] ?? '').toLowerCase();
    const m = /^(?:-l|--login)=(.*)$/.exec(arg);
    if (m) return (m[1] ?? '').toLowerCase();
  }
  const fromEnv = exec.env?.find((e) => e.name === 'AAD_LOGIN_METHOD')?.value;
  return (fromEnv ?? 'devicecode').toLowerCase();
}
