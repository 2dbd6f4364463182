#!/usr/bin/env node
/**
 * The flux-azdo CLI: `flux-azdo install --export`, `flux-azdo bootstrap git`, `flux-azdo version`.
 * Exit codes: 0 success, 1 failure, 2 bad usage (unknown or contradictory flags), 130 cancelled
 * (Ctrl-C, SIGTERM, or a question answered no); `check` adds 3 (warnings) and 4 (unhealthy).
 */
// Each command's modules (the core, Git, Kubernetes, SSH) load only when that command runs, and
// `--help` and `version` answer from the facts the build emitted (core-facts.ts) without the
// wasm, so they start as fast as Node does (bench/commands.mjs; npm/test/cli-start.test.mjs
// checks the module graph).
import { FluxAzdoError } from '../errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { wasReported } from './output.js';

const HELP = `flux-azdo: Flux CD bootstrap for Azure DevOps

Usage:
  flux-azdo bootstrap git [flags]   push Flux's manifests to the repo, install Flux, make the cluster sync itself
  flux-azdo install --export [flags] print Flux's install manifests (as flux install --export)
  flux-azdo uninstall [flags]        remove Flux from the cluster (the Git repository is not touched)
  flux-azdo rotate [flags]           replace the cluster's Git credential (PAT or deploy key), proven, rolled back on failure
  flux-azdo check [flags]            a read-only health report: Flux, the sync, the credential and its expiry
  flux-azdo version                 print the versions

Run 'flux-azdo <command> --help' for the flags of a command.
`;

/** V8 settings for a one-job process (v8-tuning.ts), loaded only by the commands that work. */
async function tuneForOneShot(): Promise<void> {
  (await import('./v8-tuning.js')).tuneForOneShot();
}

async function main(argv: string[]): Promise<ExitCode> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'install': {
      await tuneForOneShot();
      const { runInstall } = await import('./install-command.js');
      return runInstall(rest);
    }
    case 'bootstrap': {
      await tuneForOneShot();
      const { runBootstrap } = await import('./bootstrap-command.js');
      return runBootstrap(rest);
    }
    case 'rotate': {
      await tuneForOneShot();
      const { runRotate } = await import('./rotate-command.js');
      return runRotate(rest);
    }
    case 'check': {
      await tuneForOneShot();
      const { runCheck } = await import('./check-command.js');
      return runCheck(rest);
    }
    case 'uninstall': {
      await tuneForOneShot();
      const { runUninstall } = await import('./uninstall-command.js');
      return runUninstall(rest);
    }
    case 'version':
    case '--version': {
      const { coreFacts } = await import('./core-facts.js');
      const facts = await coreFacts();
      process.stdout.write(`flux-azdo ${facts.packageVersion} (Flux ${facts.fluxVersion})\n`);
      return EXIT.ok;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return command === undefined ? EXIT.usage : EXIT.ok;
    default:
      process.stderr.write(`✗ unknown command ${JSON.stringify(command)}\n\n${HELP}`);
      return EXIT.usage;
  }
}

/** Prints an error (unless the progress view already showed it) and returns its exit code. */
function reportError(err: unknown): ExitCode {
  if (err instanceof FluxAzdoError) {
    if (!wasReported(err)) process.stderr.write(`✗ ${err.message} [${err.code}]\n`);
    if (err.code === 'USAGE') return EXIT.usage;
    if (err.code === 'CANCELLED') return EXIT.cancelled;
    return EXIT.failed;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`✗ unexpected failure: ${message} [INTERNAL]\n`);
  return EXIT.failed;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportError(err);
  },
);
