/** `flux-azdo install --export`: prints exactly what `flux install --export` prints. */
import { defaults } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { emittedFacts } from './core-facts.js';
import { installManifests, type InstallOptions } from '../install.js';
import { bool, formatHelp, list, parseArgs, str, type FlagSpec, type ParsedArgs } from './args.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { globalFlags, installFlags, INSTALL_ONLY_FLAGS } from './flags.js';

const specs = (): FlagSpec[] => {
  // From the build's facts when present: `--help` and flag parsing need no wasm compile.
  const flux = emittedFacts()?.defaults ?? defaults();
  return [...installFlags(flux), ...INSTALL_ONLY_FLAGS, ...globalFlags(flux)];
};

/** Install options from parsed flags; shared with `bootstrap git`. */
export function installOptionsFromArgs(args: ParsedArgs): InstallOptions {
  const logLevel = str(args, 'log-level');
  return {
    version: str(args, 'version'),
    namespace: str(args, 'namespace'),
    components: list(args, 'components'),
    componentsExtra: list(args, 'components-extra'),
    registry: str(args, 'registry'),
    imagePullSecret: str(args, 'image-pull-secret'),
    watchAllNamespaces: bool(args, 'watch-all-namespaces'),
    networkPolicy: bool(args, 'network-policy'),
    logLevel: logLevel as InstallOptions['logLevel'],
    clusterDomain: str(args, 'cluster-domain'),
    tolerationKeys: list(args, 'toleration-keys'),
  };
}

export async function runInstall(argv: string[]): Promise<ExitCode> {
  const flags = specs();
  const args = parseArgs(argv, flags);
  if (bool(args, 'help')) {
    process.stdout.write(`Usage:\n  flux-azdo install --export [flags]\n\nFlags:\n${formatHelp(flags)}\n`);
    return EXIT.ok;
  }
  if (args.positionals.length > 0) {
    throw new FluxAzdoError('USAGE', `unexpected argument ${JSON.stringify(args.positionals[0])}`);
  }
  if (!bool(args, 'export')) {
    throw new FluxAzdoError(
      'USAGE',
      'flux-azdo install only exports (--export); to install Flux on a cluster use flux-azdo bootstrap git, which also makes the cluster sync from Git',
      { option: 'export' },
    );
  }
  const options = installOptionsFromArgs(args);
  const manifests = str(args, 'manifests');
  const manifest = await installManifests({ ...options, ...(manifests ? { manifests } : {}) });
  process.stdout.write(manifest.content);
  return EXIT.ok;
}
