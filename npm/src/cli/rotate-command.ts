/**
 * `flux-azdo rotate`: replace the credential in the cluster's Git Secret (a new PAT, or a new
 * deploy key), proven before the swap and rolled back when the cluster cannot fetch with it.
 */
import { defaults, type EcdsaCurve, type KeyAlgorithm } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { emittedFacts } from './core-facts.js';
import type { RotateOptions } from '../rotate/options.js';
import { bool, formatHelp, int, parseArgs, str, type FlagSpec, type ParsedArgs } from './args.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { globalFlags, rotateFlags } from './flags.js';
import { chooseMode, createRenderer, markReported, wantsDebug } from './output.js';
import { confirm, resolvePassword } from './password.js';

const specs = (): FlagSpec[] => {
  // From the build's facts when present: `--help` and flag parsing need no wasm compile.
  const flux = emittedFacts()?.defaults ?? defaults();
  return [...rotateFlags(flux), ...globalFlags(flux)];
};

const USAGE = `Usage:
  flux-azdo rotate [flags]

Replaces the credential in the cluster's Git Secret for an existing bootstrap. The new one is
proven against the repository first; after the swap source-controller must fetch with it, or the
old Secret is put back. Nothing is committed to Git.

Examples:
  # A new PAT (from GIT_PASSWORD, a prompt, or stdin) for a cluster that syncs over HTTPS
  GIT_PASSWORD=<new PAT> flux-azdo rotate

  # A new generated RSA deploy key for a cluster that syncs over SSH (shown, then confirmed)
  flux-azdo rotate

  # A deploy key you made yourself
  flux-azdo rotate --private-key-file=./new-key
`;

// The core checks the key algorithm and curve (INVALID_INPUT naming the flag), as for bootstrap.
function rotateOptionsFromArgs(args: ParsedArgs): RotateOptions {
  const rsaBits = int(args, 'ssh-rsa-bits');
  const given = (name: string) => args.given.has(name);
  return {
    namespace: str(args, 'namespace'),
    name: str(args, 'name'),
    username: str(args, 'username'),
    timeout: str(args, 'timeout'),
    dryRun: bool(args, 'dry-run'),
    silent: bool(args, 'silent'),
    ...(bool(args, 'token-auth') ? { to: 'token' as const } : given('private-key-file') ? { to: 'ssh' as const } : {}),
    ...(str(args, 'private-key-file') ? { privateKeyFile: str(args, 'private-key-file') } : {}),
    ...(str(args, 'ssh-key-algorithm') ? { sshKeyAlgorithm: str(args, 'ssh-key-algorithm') as KeyAlgorithm } : {}),
    ...(rsaBits === undefined ? {} : { sshRsaBits: rsaBits }),
    ...(str(args, 'ssh-ecdsa-curve') ? { sshEcdsaCurve: str(args, 'ssh-ecdsa-curve') as EcdsaCurve } : {}),
    ...(str(args, 'ca-file') ? { caFile: str(args, 'ca-file') } : {}),
    ...(str(args, 'kubeconfig') ? { kubeconfig: str(args, 'kubeconfig') } : {}),
    ...(str(args, 'context') ? { context: str(args, 'context') } : {}),
  };
}

export async function runRotate(argv: string[]): Promise<ExitCode> {
  const flags = specs();
  const args = parseArgs(argv, flags);
  if (bool(args, 'help')) {
    process.stdout.write(`${USAGE}\nFlags:\n${formatHelp(flags)}\n`);
    return EXIT.ok;
  }
  if (args.positionals.length > 0) throw new FluxAzdoError('USAGE', `unexpected argument ${JSON.stringify(args.positionals[0])}`);
  if (bool(args, 'token-auth') && args.given.has('private-key-file')) {
    throw new FluxAzdoError('USAGE', '--private-key-file is an SSH key; it cannot be used with --token-auth', {
      option: 'private-key-file',
    });
  }
  const options = rotateOptionsFromArgs(args);
  // --password or GIT_PASSWORD now; the prompt (or stdin) only once the cluster says it uses a PAT.
  const sources = { flag: str(args, 'password'), env: process.env, stdin: process.stdin, prompt: process.stderr };
  const early = await resolvePassword(sources, { required: false, what: 'new Personal Access Token' });
  if (early) options.password = early;

  const mode = chooseMode(bool(args, 'json'), process.stderr);
  const renderEvents = createRenderer(mode, process.stdout, process.stderr, { debug: wantsDebug(bool(args, 'verbose')) });
  let errorRendered = false;
  const render: typeof renderEvents = (event) => {
    if (event.type === 'error' && mode !== 'json') errorRendered = true;
    renderEvents(event);
  };
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => controller.abort(new FluxAzdoError('CANCELLED', `${signal} received`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { rotate } = await import('../rotate/run.js');
    const result = await rotate(options, {
      onEvent: render,
      signal: controller.signal,
      askPassword: () => resolvePassword(sources, { required: true, what: 'new Personal Access Token' }),
      confirmDeployKey: async ({ addKeyUrl }) => {
        if (!process.stdin.isTTY) {
          render({ type: 'log', level: 'warn', message: 'no terminal to confirm on: going on as with --silent' });
          return true;
        }
        const where = addKeyUrl ? ` (${addKeyUrl})` : '';
        return confirm(process.stdin, process.stderr, `Please add the new key to Azure DevOps${where}; done?`);
      },
    });
    if (mode === 'json') process.stdout.write(JSON.stringify({ type: 'result', ...result }) + '\n');
    return EXIT.ok;
  } catch (err) {
    if (errorRendered) markReported(err);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
