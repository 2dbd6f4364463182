/**
 * `flux-azdo check`: a read-only report a pipeline can gate on. Exit 0 healthy, 3 warnings
 * (e.g. the PAT expires within --warn-days), 4 unhealthy; 1 when the check itself could not run.
 */
import { readFile } from 'node:fs/promises';

import { defaults, pushCredentials } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { emittedFacts } from './core-facts.js';
import type { CheckOptions, CheckResult } from '../check/run.js';
import { bool, formatHelp, int, parseArgs, str, type FlagSpec, type ParsedArgs } from './args.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { checkFlags, globalFlags } from './flags.js';
import { chooseMode, createRenderer, wantsDebug } from './output.js';

const specs = (): FlagSpec[] => {
  // From the build's facts when present: `--help` and flag parsing need no wasm compile.
  const flux = emittedFacts()?.defaults ?? defaults();
  return [
    ...checkFlags(flux),
    {
      name: 'pat-name',
      type: 'string',
      default: '',
      help: 'the display name of the PAT in the Secret, to find its expiry (needs --azure-credential)',
    },
    {
      name: 'pat-lifecycle-url',
      type: 'string',
      default: '',
      help: "the PAT lifecycle API's origin (default https://vssps.dev.azure.com)",
    },
    {
      name: 'azure-credential',
      type: 'string',
      default: '',
      help: "read the PAT's expiry with a Microsoft Entra user token from this credential: default, cli, environment, …",
    },
    {
      name: 'azure-tenant-id',
      type: 'string',
      default: '',
      help: "the Entra tenant (default: the organisation's, found from Azure DevOps)",
    },
    { name: 'ca-file', type: 'string', default: '', path: true, help: 'CA file (PEM) for the organisation and the PAT lifecycle API' },
    ...globalFlags(flux),
  ];
};

export async function runCheck(argv: string[]): Promise<ExitCode> {
  const flags = specs();
  const args = parseArgs(argv, flags);
  if (bool(args, 'help')) {
    process.stdout.write(
      `Usage:\n  flux-azdo check [flags]\n\nExit codes: 0 healthy, 3 warnings, 4 unhealthy, 1 the check could not run.\n\nFlags:\n${formatHelp(flags)}\n`,
    );
    return EXIT.ok;
  }
  if (args.positionals.length > 0) throw new FluxAzdoError('USAGE', `unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const warnDays = int(args, 'warn-days');
  if (warnDays !== undefined && warnDays < 0) throw new FluxAzdoError('USAGE', '--warn-days must be 0 or more', { option: 'warn-days' });
  const mode = chooseMode(bool(args, 'json'), process.stderr);
  const render = createRenderer(mode, process.stdout, process.stderr, { debug: wantsDebug(bool(args, 'verbose')) });
  const options: CheckOptions = {
    namespace: str(args, 'namespace'),
    name: str(args, 'name'),
    ...(warnDays === undefined ? {} : { warnDays }),
    ...(str(args, 'kubeconfig') ? { kubeconfig: str(args, 'kubeconfig') } : {}),
    ...(str(args, 'context') ? { context: str(args, 'context') } : {}),
    ...(str(args, 'azure-credential') ? { patLifecycle: await patLifecycle(args) } : {}),
  };
  const { check } = await import('../check/run.js');
  const result = await check(options, render);
  if (mode === 'json') process.stdout.write(JSON.stringify({ type: 'result', ...result }) + '\n');
  else process.stdout.write(formatReport(result));
  if (result.status === 'unhealthy') return EXIT.checkUnhealthy;
  if (result.status === 'warnings') return EXIT.checkWarnings;
  return EXIT.ok;
}

/** The PAT lifecycle lookup: an Entra token from --azure-credential (npm/src/azure), for the repository's organisation. */
async function patLifecycle(args: ParsedArgs): Promise<NonNullable<CheckOptions['patLifecycle']>> {
  const { createAzureDevOpsTokenProvider } = await import('../azure/index.js');
  const caFile = str(args, 'ca-file');
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = await readFile(caFile, 'utf8');
    } catch {
      throw new FluxAzdoError('USAGE', `cannot read --ca-file ${caFile}`, { option: 'ca-file' });
    }
  }
  const tenantId = str(args, 'azure-tenant-id');
  return {
    getToken: async (gitUrl) => {
      const { entra } = pushCredentials({ url: gitUrl, tokenAuth: true, azureCredential: str(args, 'azure-credential') });
      if (!entra) throw new FluxAzdoError('INTERNAL', 'no Entra credential planned');
      return createAzureDevOpsTokenProvider({ entra, ...(tenantId ? { tenantId } : {}), ...(ca ? { ca } : {}) }).getToken();
    },
    ...(str(args, 'pat-name') ? { patName: str(args, 'pat-name') } : {}),
    ...(str(args, 'pat-lifecycle-url') ? { baseUrl: str(args, 'pat-lifecycle-url') } : {}),
    ...(ca ? { caPem: ca } : {}),
  };
}

function formatReport(r: CheckResult): string {
  const lines = [
    `Kubernetes   ${r.kubernetesVersion}`,
    `Flux         ${r.fluxVersion ?? 'not installed'} in ${r.namespace}`,
    ...r.components.map((c) => `  ${c.ready ? '✔' : '✗'} ${c.name}${c.image ? ` (${c.image})` : c.found ? '' : ' missing'}`),
    `Source       ${r.gitRepository.ref} ${r.gitRepository.url ?? '(missing)'}`,
    `  revision   ${r.gitRepository.revision ?? '-'}   last fetch ${r.gitRepository.lastFetch ?? '-'}`,
    `Credential   ${r.credential}${r.sshKeyFingerprint ? ` ${r.sshKeyFingerprint}` : ''}${r.pat ? ` "${r.pat.displayName}" valid to ${r.pat.validTo}` : ''}`,
    `Sync         ${r.kustomization.ref} ${r.kustomization.lastAppliedRevision ?? '-'}`,
    '',
    ...r.findings.map(
      (f) =>
        `${f.severity === 'error' ? '✗' : f.severity === 'warning' ? '!' : 'i'} [${f.code}] ${f.subject}: ${f.message}${f.remedy ? `\n    → ${f.remedy}` : ''}`,
    ),
    `Status       ${r.status}`,
  ];
  return lines.join('\n') + '\n';
}
