/**
 * `flux-azdo bootstrap git`: Flux's flags and defaults, so a `flux bootstrap git` command line
 * works with `flux` replaced by `flux-azdo`; plus `--dry-run` and `--export DIR`.
 */
import { planOptions, type BootstrapOptions } from '../bootstrap/options.js';
import { defaults, parseRepoUrl, pushCredentials } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { emittedFacts } from './core-facts.js';
import { bool, formatHelp, int, list, parseArgs, str, type FlagSpec, type ParsedArgs } from './args.js';
import { bootstrapGitFlags, globalFlags, installFlags } from './flags.js';
import { installOptionsFromArgs } from './install-command.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { chooseMode, createRenderer, markReported, wantsDebug } from './output.js';
import { askPassphrase, confirm, resolvePassword, resolveRegistryCreds } from './password.js';

const specs = (): FlagSpec[] => {
  // From the build's facts when present: `--help` and flag parsing need no wasm compile.
  const flux = emittedFacts()?.defaults ?? defaults();
  return [...bootstrapGitFlags(flux), ...installFlags(flux), ...globalFlags(flux)];
};

const USAGE = `Usage:
  flux-azdo bootstrap git [flags]

Examples:
  # Azure DevOps with a Personal Access Token (from GIT_PASSWORD, a prompt, or stdin)
  flux-azdo bootstrap git --token-auth --url=https://dev.azure.com/<org>/<project>/_git/<repo> --branch=main --path=clusters/my-cluster

  # Azure DevOps over SSH: an RSA SHA-2 key is generated, and the controllers get --ssh-hostkey-algos
  flux-azdo bootstrap git --url=ssh://git@ssh.dev.azure.com/v3/<org>/<project>/<repo> --branch=main --path=clusters/my-cluster

  # Azure DevOps without a PAT: push with a Microsoft Entra token (az login), sync over SSH
  flux-azdo bootstrap git --azure-credential=cli --url=https://dev.azure.com/<org>/<project>/_git/<repo> --branch=main --path=clusters/my-cluster

  # The files only, without Git or a cluster
  flux-azdo bootstrap git --url=https://dev.azure.com/<org>/<project>/_git/<repo> --path=clusters/my-cluster --export ./out
`;

function usage(message: string, option?: string): FluxAzdoError {
  return new FluxAzdoError('USAGE', message, option ? { option } : {});
}

/** Refuses contradictory flags before anything happens. */
function checkContradictions(args: ParsedArgs): void {
  const given = (name: string) => args.given.has(name);
  if (given('export') && given('dry-run'))
    throw usage(
      '--export and --dry-run exclude each other: --export writes files only, --dry-run compares with the repository and the cluster',
      'export',
    );
  if ((bool(args, 'token-auth') || bool(args, 'with-bearer-token')) && given('private-key-file')) {
    throw usage('--private-key-file is an SSH key; it cannot be used with --token-auth / --with-bearer-token', 'private-key-file');
  }
  // Checked before any prompt for the registry password; the core refuses the same (same code).
  if (str(args, 'registry-creds') && !str(args, 'image-pull-secret'))
    throw new FluxAzdoError(
      'OPTION_REQUIRED',
      '--image-pull-secret is required: --registry-creds makes an image pull Secret and needs its name, e.g. --image-pull-secret=regcred',
      {
        option: 'image-pull-secret',
      },
    );
  if (!str(args, 'url')) throw usage('--url is required, e.g. --url=https://dev.azure.com/<org>/<project>/_git/<repo>', 'url');
}

function bootstrapOptionsFromArgs(args: ParsedArgs): BootstrapOptions {
  const install = installOptionsFromArgs(args);
  const rsaBits = int(args, 'ssh-rsa-bits');
  const pushRetries = int(args, 'push-retries');
  const options: BootstrapOptions = {
    url: str(args, 'url'),
    branch: str(args, 'branch'),
    path: str(args, 'path'),
    interval: str(args, 'interval'),
    tokenAuth: bool(args, 'token-auth') || bool(args, 'with-bearer-token'),
    withBearerToken: bool(args, 'with-bearer-token'),
    username: str(args, 'username'),
    sshHostkeyAlgos: list(args, 'ssh-hostkey-algos'),
    sshHostname: str(args, 'ssh-hostname'),
    sshEcdsaCurve: str(args, 'ssh-ecdsa-curve') as BootstrapOptions['sshEcdsaCurve'],
    sshKeyAlgorithm: str(args, 'ssh-key-algorithm') as BootstrapOptions['sshKeyAlgorithm'],
    secretName: str(args, 'secret-name'),
    recurseSubmodules: bool(args, 'recurse-submodules'),
    sparseCheckout: list(args, 'sparse-checkout'),
    provider: str(args, 'provider'),
    workloadIdentityClientId: str(args, 'workload-identity-client-id'),
    workloadIdentityTenantId: str(args, 'workload-identity-tenant-id'),
    authorName: str(args, 'author-name'),
    authorEmail: str(args, 'author-email'),
    commitMessageAppendix: str(args, 'commit-message-appendix'),
    force: bool(args, 'force'),
    silent: bool(args, 'silent'),
    createBranch: bool(args, 'create-branch'),
    pullRequest: bool(args, 'pull-request') || bool(args, 'pull-request-auto-complete'),
    pullRequestAutoComplete: bool(args, 'pull-request-auto-complete'),
    allowInsecureHttp: bool(args, 'allow-insecure-http'),
    timeout: str(args, 'timeout'),
    ...(rsaBits === undefined ? {} : { sshRsaBits: rsaBits }),
    ...(pushRetries === undefined ? {} : { pushRetries }),
    ...(str(args, 'private-key-file') ? { privateKeyFile: str(args, 'private-key-file') } : {}),
    ...(str(args, 'ca-file') ? { caFile: str(args, 'ca-file') } : {}),
    ...(str(args, 'manifests') ? { manifests: str(args, 'manifests') } : {}),
    ...(str(args, 'kubeconfig') ? { kubeconfig: str(args, 'kubeconfig') } : {}),
    ...(str(args, 'context') ? { context: str(args, 'context') } : {}),
    ...(str(args, 'azure-credential') ? { azureCredential: str(args, 'azure-credential') } : {}),
    ...(str(args, 'azure-tenant-id') ? { azureTenantId: str(args, 'azure-tenant-id') } : {}),
  };
  for (const [key, value] of Object.entries(install)) {
    if (value !== undefined && value !== '') (options as unknown as Record<string, unknown>)[key] = value;
  }
  return options;
}

export async function runBootstrap(argv: string[]): Promise<ExitCode> {
  const [provider, ...rest] = argv;
  if (provider === '--help' || provider === '-h' || provider === undefined) {
    process.stdout.write(`${USAGE}\nFlags:\n${formatHelp(specs())}\n`);
    return provider === undefined ? EXIT.usage : EXIT.ok;
  }
  if (provider !== 'git') {
    throw usage(`unknown provider ${JSON.stringify(provider)}: Azure DevOps (and any Git server) uses "flux-azdo bootstrap git"`);
  }
  const flags = specs();
  const args = parseArgs(rest, flags);
  if (bool(args, 'help')) {
    process.stdout.write(`${USAGE}\nFlags:\n${formatHelp(flags)}\n`);
    return EXIT.ok;
  }
  if (args.positionals.length > 0) throw usage(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  checkContradictions(args);
  const options = bootstrapOptionsFromArgs(args);
  const mode = chooseMode(bool(args, 'json'), process.stderr);
  const renderEvents = createRenderer(mode, process.stdout, process.stderr, { debug: wantsDebug(bool(args, 'verbose')) });
  const repo = parseRepoUrl(options.url);
  renderEvents({ type: 'log', level: 'debug', message: `repository: ${repo.kind} ${repo.url}` });

  const exportDir = str(args, 'export');
  if (exportDir) {
    // Git, SSH and the kube client load only for a command that runs: `--help` stays quick.
    const { exportFiles } = await import('../bootstrap/export.js');
    const { files } = await exportFiles({ ...options, dir: exportDir });
    for (const f of files) renderEvents({ type: 'done', step: 'export', message: `wrote ${f.path}`, path: f.path });
    if (options.provider === 'azure' && !options.workloadIdentityTenantId) {
      // --export stays offline, so there is no tenant probe: the core leaves the annotation out
      // (the webhook's default tenant, the cluster's), which is not necessarily the organisation's.
      renderEvents({
        type: 'log',
        level: 'warn',
        message:
          "no azure.workload.identity/tenant-id annotation written: --export does not ask the organisation for its tenant; pass --workload-identity-tenant-id unless the cluster is in the identity's tenant",
      });
    }
    return EXIT.ok;
  }

  // The core says whether a PAT is needed: an HTTPS push without --azure-credential, or a
  // cluster syncing with it (--token-auth); over SSH, --password is only the key's passphrase.
  const { needsPat } = pushCredentials(planOptions(options, null));
  const password = await resolvePassword(
    { flag: str(args, 'password'), env: process.env, stdin: process.stdin, prompt: process.stderr },
    { required: needsPat, what: 'Personal Access Token' },
  );
  if (password) options.password = password;
  const registryCreds = await resolveRegistryCreds(str(args, 'registry-creds'), {
    env: process.env,
    stdin: process.stdin,
    prompt: process.stderr,
  });
  if (registryCreds) options.registryCreds = registryCreds;

  // Ctrl-C (SIGINT) and SIGTERM (what CI runners and `timeout` send) take the one cancellation
  // path: the run stops at its next step or request, removes its temp folders, and reports
  // CANCELLED with what was already done. A second signal kills at once (the handler is `once`).
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => controller.abort(new FluxAzdoError('CANCELLED', `${signal} received`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // The renderer prints an `error` event on stderr (plain and terminal mode); main.ts then must
  // not print the thrown error a second time.
  let errorRendered = false;
  const ask = () => askPassphrase(process.stdin, process.stderr);
  const render: typeof renderEvents = (event) => {
    if (event.type === 'error' && mode !== 'json') errorRendered = true;
    renderEvents(event);
  };
  try {
    if (bool(args, 'dry-run')) {
      const { dryRun } = await import('../bootstrap/dry-run.js');
      const report = await dryRun(options, { onEvent: render, signal: controller.signal, askPassphrase: ask });
      if (report.pullRequest)
        process.stdout.write(`would open a pull request from ${report.pullRequest.from} into ${report.pullRequest.into}\n`);
      for (const f of report.files) {
        process.stdout.write(f.change === 'unchanged' ? `unchanged ${f.path}\n` : f.diff);
      }
      for (const o of report.objects) process.stdout.write(`${o.change.padEnd(9)} ${o.ref}\n`);
      process.stdout.write(`${report.secret.change.padEnd(9)} ${report.secret.ref}\n`);
      if (report.imagePullSecret) process.stdout.write(`${report.imagePullSecret.change.padEnd(9)} ${report.imagePullSecret.ref}\n`);
      return EXIT.ok;
    }
    const { bootstrap } = await import('../bootstrap/run.js');
    const result = await bootstrap(options, {
      onEvent: render,
      signal: controller.signal,
      askPassphrase: ask,
      confirmDeployKey: async ({ addKeyUrl }) => {
        if (!process.stdin.isTTY) {
          render({
            type: 'log',
            level: 'warn',
            message: 'no terminal to confirm on: going on as with --silent; the cluster syncs once the key has access',
          });
          return true;
        }
        const where = addKeyUrl ? ` (${addKeyUrl})` : '';
        return confirm(process.stdin, process.stderr, `Please give the key access to your repository${where}; done?`);
      },
    });
    if (mode === 'json') {
      process.stdout.write(JSON.stringify({ type: 'result', ...result }) + '\n');
    }
    return EXIT.ok;
  } catch (err) {
    if (errorRendered) markReported(err);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
