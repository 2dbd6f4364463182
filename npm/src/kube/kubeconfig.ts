/**
 * Loading a kubeconfig the way kubectl does: `--kubeconfig` (one file), else the `KUBECONFIG`
 * list (missing files skipped, the first file to define a name or current-context wins), else
 * `~/.kube/config`; `--context` overrides the current context.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, basename, join } from 'node:path';
import { KubeConfig } from '../vendor/kube-config.js';
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

export interface KubeContext {
  name: string;
  /** The cluster the context names. */
  cluster: string;
}

export interface KubeContexts {
  /** In the kubeconfig's order; with several files the first to define a name wins, as in kubectl. */
  contexts: KubeContext[];
  /** The current-context, undefined when no file sets one. */
  current: string | undefined;
}

export function loadKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
  const files = kubeconfigFiles(options.kubeconfig, options.env ?? process.env);
  const { kc, currentContext } = merge(files);
  const context = options.context || currentContext;
  if (!context) {
    throw new FluxAzdoError(
      'KUBECONFIG_INVALID',
      `no current context in ${files.join(', ')}; pass --context (one of: ${contextNames(kc)})`,
      { option: 'context' },
    );
  }
  if (!kc.getContextObject(context)) {
    throw new FluxAzdoError(
      'KUBECONFIG_INVALID',
      `context "${context}" is not in ${files.join(', ')}; known contexts: ${contextNames(kc)}`,
      { option: 'context' },
    );
  }
  kc.setCurrentContext(context);
  const ctx = kc.getContextObject(context);
  if (!kc.getCurrentCluster()) {
    throw new FluxAzdoError('KUBECONFIG_INVALID', `context "${context}" names cluster "${ctx?.cluster}", which is not defined`, {
      option: 'context',
    });
  }
  if (!kc.getCurrentUser()) {
    throw new FluxAzdoError('KUBECONFIG_INVALID', `context "${context}" names user "${ctx?.user}", which is not defined`, {
      option: 'context',
    });
  }
  checkNonInteractiveAuth(kc);
  return kc;
}

/**
 * The contexts of the kubeconfig `connect()` reads, found and merged the same way, for a picker:
 * no context is chosen or checked. KUBECONFIG_INVALID when there is no kubeconfig or it has no
 * contexts.
 */
export function listKubeContexts(options: Pick<KubeConfigOptions, 'kubeconfig' | 'env'> = {}): KubeContexts {
  const files = kubeconfigFiles(options.kubeconfig, options.env ?? process.env);
  const { kc, currentContext } = merge(files);
  const contexts = kc.getContexts().map((c) => ({ name: c.name, cluster: c.cluster }));
  if (contexts.length === 0) {
    throw new FluxAzdoError('KUBECONFIG_INVALID', `no contexts in ${files.join(', ')}`, { option: 'context' });
  }
  return { contexts, current: currentContext || undefined };
}

/** kubectl's merge: the first file to define a name or a current-context wins. */
function merge(files: string[]): { kc: KubeConfig; currentContext: string } {
  const kc = new KubeConfig();
  let currentContext = '';
  for (const file of files) {
    const one = new KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (err) {
      throw new FluxAzdoError('KUBECONFIG_INVALID', `cannot read kubeconfig ${file}: ${errorText(err)}`, {
        option: 'kubeconfig',
        cause: err,
      });
    }
    if (!currentContext && one.currentContext) currentContext = one.currentContext;
    for (const c of one.clusters) if (!kc.getCluster(c.name)) kc.addCluster(c);
    for (const u of one.users) if (!kc.getUser(u.name)) kc.addUser(u);
    for (const c of one.contexts) if (!kc.getContextObject(c.name)) kc.addContext(c);
  }
  return { kc, currentContext };
}

function kubeconfigFiles(explicit: string | undefined, env: Record<string, string | undefined>): string[] {
  if (explicit) {
    if (!existsSync(explicit)) {
      throw new FluxAzdoError('KUBECONFIG_INVALID', `the kubeconfig file ${explicit} does not exist`, {
        option: 'kubeconfig',
      });
    }
    return [explicit];
  }
  const list = env.KUBECONFIG;
  if (list) {
    const files = [...new Set(list.split(delimiter).filter((f) => f.length > 0))].filter((f) => existsSync(f));
    if (files.length === 0) {
      throw new FluxAzdoError('KUBECONFIG_INVALID', `none of the files in KUBECONFIG (${list}) exists`, {
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
      `no kubeconfig: ${file} does not exist and KUBECONFIG is not set; pass --kubeconfig, or run ` + '`az aks get-credentials` first',
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
  const exec = execConfig(user?.name ?? '', user?.exec);
  if (!exec?.command) return;
  const command = basename(exec.command).replace(/\.exe$/i, '');
  if (command === 'kubelogin') {
    const mode = kubeloginMode(exec);
    if (mode === 'devicecode' || mode === 'interactive') {
      throw new FluxAzdoError(
        'KUBE_AUTH_INTERACTIVE',
        `the kubeconfig user "${user?.name}" logs in with kubelogin in ${mode} mode, which needs a terminal; ` +
          'run `az login` and then `kubelogin convert-kubeconfig -l azurecli` (or `-l workloadidentity` / ' +
          '`-l spn` in CI), and try again',
        { option: 'kubeconfig' },
      );
    }
    return;
  }
  if (exec.interactiveMode === 'Always') {
    throw new FluxAzdoError(
      'KUBE_AUTH_INTERACTIVE',
      `the kubeconfig user "${user?.name}" runs the credential plugin ${exec.command} with interactiveMode ` +
        'Always, which needs a terminal; use a non-interactive login for this context',
      { option: 'kubeconfig' },
    );
  }
}

/**
 * The user's `exec` block, checked for the shape kubectl requires (`command` a string, `args` a
 * list of strings, `env` a list of name/value pairs): a hand-edited file gets KUBECONFIG_INVALID
 * naming the field, not a TypeError.
 */
function execConfig(userName: string, raw: unknown): ExecConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const bad = (field: string, wanted: string) =>
    new FluxAzdoError('KUBECONFIG_INVALID', `the kubeconfig user "${userName}" has an exec ${field} that is not ${wanted}`, {
      option: 'kubeconfig',
    });
  if (!isRecord(raw)) throw bad('block', 'a map');
  const { command, args, env, interactiveMode } = raw;
  if (command !== undefined && typeof command !== 'string') throw bad('command', 'a string');
  const stringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((a) => typeof a === 'string');
  if (args !== undefined && args !== null && !stringList(args)) throw bad('args', 'a list of strings');
  const pairList = (v: unknown): v is { name: string; value: string }[] =>
    Array.isArray(v) && v.every((e) => isRecord(e) && typeof e.name === 'string');
  if (env !== undefined && env !== null && !pairList(env)) throw bad('env', 'a list of {name, value}');
  return {
    ...(typeof command === 'string' ? { command } : {}),
    ...(stringList(args) ? { args } : {}),
    ...(pairList(env) ? { env } : {}),
    ...(typeof interactiveMode === 'string' ? { interactiveMode } : {}),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
