/** `flux-azdo uninstall`: removes Flux from the cluster; the Git repository is never touched. */
import { defaults } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { emittedFacts } from './core-facts.js';
import { connect, uninstallFlux } from '../kube/index.js';
import { bool, formatHelp, parseArgs, str, type FlagSpec } from './args.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { globalFlags } from './flags.js';
import { chooseMode, createRenderer, wantsDebug } from './output.js';
import { confirm } from './password.js';

const specs = (): FlagSpec[] => [
  { name: 'keep-namespace', type: 'bool', default: false, help: 'skip namespace deletion' },
  { name: 'silent', short: 's', type: 'bool', default: false, help: 'delete components without asking for confirmation' },
  ...globalFlags(emittedFacts()?.defaults ?? defaults()),
];

export async function runUninstall(argv: string[]): Promise<ExitCode> {
  const flags = specs();
  const args = parseArgs(argv, flags);
  if (bool(args, 'help')) {
    process.stdout.write(`Usage:\n  flux-azdo uninstall [flags]\n\nFlags:\n${formatHelp(flags)}\n`);
    return EXIT.ok;
  }
  if (args.positionals.length > 0) throw new FluxAzdoError('USAGE', `unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const namespace = str(args, 'namespace');
  if (!bool(args, 'silent')) {
    const ok = await confirm(
      process.stdin,
      process.stderr,
      `Are you sure you want to delete Flux and its custom resource definitions from namespace ${namespace}`,
    );
    if (!ok) throw new FluxAzdoError('CANCELLED', 'uninstall was not confirmed (pass --silent to skip the question)');
  }
  const render = createRenderer(chooseMode(bool(args, 'json'), process.stderr), process.stdout, process.stderr, {
    debug: wantsDebug(bool(args, 'verbose')),
  });
  const client = connect({ kubeconfig: str(args, 'kubeconfig') || undefined, context: str(args, 'context') || undefined });
  render({ type: 'log', level: 'debug', message: `API server: ${client.server}` });
  render({ type: 'step', step: 'uninstall', message: `uninstalling Flux from namespace ${namespace}` });
  const result = await uninstallFlux(client, {
    namespace,
    keepNamespace: bool(args, 'keep-namespace'),
    onDeleted: (ref) => render({ type: 'progress', step: 'uninstall', message: `${ref} deleted`, ref, action: 'deleted' }),
  });
  render({
    type: 'done',
    step: 'uninstall',
    message: `uninstall finished: ${result.deleted.length} objects deleted; the Git repository was not touched`,
    deleted: result.deleted.length,
  });
  return EXIT.ok;
}
