/**
 * The flags of `flux install` and `flux bootstrap git` (Flux v2.9.4). Their defaults, and the
 * value lists in their help, are the core's `defaults()`: built per command, so `flux-azdo --help`
 * never starts the core.
 */
import type { Defaults } from '../core/node.js';
import type { FlagSpec } from './args.js';

export const globalFlags = ({ options, timeout }: Defaults): FlagSpec[] =>
  markPaths([
    { name: 'namespace', short: 'n', type: 'string', default: options.namespace, help: 'the namespace scope for this operation' },
    { name: 'timeout', type: 'string', default: timeout, help: 'timeout for this operation' },
    { name: 'kubeconfig', type: 'string', help: 'path to the kubeconfig file' },
    { name: 'context', type: 'string', help: 'the kubeconfig context to use' },
    { name: 'json', type: 'bool', help: 'print one JSON event per line instead of the progress view' },
    { name: 'verbose', type: 'bool', help: 'print debug log events, as FLUX_AZDO_DEBUG=1 does' },
    { name: 'help', short: 'h', type: 'bool', help: 'show this help' },
  ]);

export const installFlags = ({ options, componentsExtra, logLevels }: Defaults): FlagSpec[] =>
  markPaths([
    {
      name: 'version',
      short: 'v',
      type: 'string',
      default: '',
      help: 'toggles the Flux version (e.g. v2.9.4); the default is the version this flux-azdo was built for',
    },
    { name: 'components', type: 'list', default: options.components, help: 'list of components, accepts comma-separated values' },
    {
      name: 'components-extra',
      type: 'list',
      default: options.componentsExtra,
      help: `list of components in addition to those supplied or defaulted, accepts values such as ${componentsExtra.join(',')}`,
    },
    { name: 'registry', type: 'string', default: options.registry, help: 'container registry where the toolkit images are published' },
    {
      name: 'image-pull-secret',
      type: 'string',
      default: options.imagePullSecret,
      help: 'Kubernetes secret name used for pulling the toolkit images from a private registry',
    },
    {
      name: 'watch-all-namespaces',
      type: 'bool',
      default: options.watchAllNamespaces,
      help: 'watch for custom resources in all namespaces, if set to false it will only watch the namespace where the toolkit is installed',
    },
    {
      name: 'network-policy',
      type: 'bool',
      default: options.networkPolicy,
      help: 'deny ingress access to the toolkit controllers from other namespaces using network policies',
    },
    { name: 'log-level', type: 'string', default: options.logLevel, help: `log level, available options are: (${logLevels.join(', ')})` },
    { name: 'cluster-domain', type: 'string', default: options.clusterDomain, help: 'internal cluster domain' },
    {
      name: 'toleration-keys',
      type: 'list',
      default: options.tolerationKeys,
      help: 'list of toleration keys used to schedule the components pods onto nodes with matching taints',
    },
    {
      name: 'manifests',
      type: 'string',
      default: '',
      help: "Flux's manifests as a folder or manifests.tar.gz (air-gapped use); without it the release bundle is downloaded into the cache",
    },
    {
      name: 'registry-creds',
      type: 'string',
      secret: true,
      default: '',
      help: 'container registry credentials in the format user:password, or the user alone with the password from FLUX_REGISTRY_PASSWORD, a prompt, or stdin; requires --image-pull-secret',
    },
  ]);

export const INSTALL_ONLY_FLAGS: FlagSpec[] = [{ name: 'export', type: 'bool', help: 'write the install manifests to stdout and exit' }];

export const bootstrapGitFlags = ({ options, rsaBits, pushRetries }: Defaults): FlagSpec[] =>
  markPaths([
    {
      name: 'url',
      type: 'string',
      default: '',
      help: 'Git repository URL (Azure DevOps: https://dev.azure.com/<org>/<project>/_git/<repo> or ssh://git@ssh.dev.azure.com/v3/<org>/<project>/<repo>)',
    },
    { name: 'branch', type: 'string', default: options.branch, help: 'Git branch' },
    {
      name: 'path',
      type: 'string',
      default: options.path,
      help: 'path relative to the repository root, when specified the cluster sync will be scoped to this path',
    },
    { name: 'interval', type: 'string', default: options.interval, help: 'sync interval' },
    {
      name: 'token-auth',
      type: 'bool',
      default: options.tokenAuth,
      help: 'when enabled, the personal access token will be used instead of the SSH deploy key',
    },
    {
      name: 'with-bearer-token',
      type: 'bool',
      default: options.withBearerToken,
      help: 'use password as bearer token for Authorization header',
    },
    { name: 'username', short: 'u', type: 'string', default: options.username, help: 'basic authentication username' },
    {
      name: 'password',
      short: 'p',
      type: 'string',
      secret: true,
      default: '',
      help: 'basic authentication password (the PAT), or the SSH key passphrase; falls back to GIT_PASSWORD, a prompt, or stdin',
    },
    {
      name: 'private-key-file',
      type: 'string',
      default: '',
      help: 'path to a private key file used for authenticating to the Git SSH server',
    },
    {
      name: 'ssh-key-algorithm',
      type: 'string',
      default: '',
      help: 'SSH public key algorithm (rsa, ecdsa, ed25519); rsa for Azure DevOps, ecdsa elsewhere as in Flux',
    },
    { name: 'ssh-rsa-bits', type: 'int', default: rsaBits, help: 'SSH RSA public key bit size (multiplies of 8, 2048 to 8192)' },
    { name: 'ssh-ecdsa-curve', type: 'string', default: options.sshEcdsaCurve, help: 'SSH ECDSA public key curve (p256, p384, p521)' },
    {
      name: 'ssh-hostkey-algos',
      type: 'list',
      default: options.sshHostkeyAlgos,
      help: 'SSH public key algorithms to use for host key verification; rsa-sha2-512,rsa-sha2-256 for Azure DevOps',
    },
    {
      name: 'ssh-hostname',
      type: 'string',
      default: options.sshHostname,
      help: 'SSH hostname, to be used when the SSH host differs from the HTTPS one',
    },
    { name: 'ca-file', type: 'string', default: '', help: 'path to TLS CA file used for validating self-signed certificates' },
    {
      name: 'secret-name',
      type: 'string',
      default: options.secretName,
      help: 'name of the secret the sync credentials can be found in or stored to',
    },
    {
      name: 'recurse-submodules',
      type: 'bool',
      default: options.recurseSubmodules,
      help: 'when enabled, configures the GitRepository source to initialize and include Git submodules',
    },
    {
      name: 'sparse-checkout',
      type: 'list',
      default: options.sparseCheckout,
      help: 'directories to include in the GitRepository spec.sparseCheckout',
    },
    // Azure workload identity for the sync (issue #17 §2).
    {
      name: 'provider',
      type: 'string',
      default: options.provider,
      help: 'the GitRepository provider: azure syncs from Azure DevOps with Azure workload identity (no Secret); generic (default) uses the Secret',
    },
    {
      name: 'workload-identity-client-id',
      type: 'string',
      default: options.workloadIdentityClientId,
      help: 'with --provider=azure: the client id of the user-assigned managed identity the controllers sync as',
    },
    {
      name: 'workload-identity-tenant-id',
      type: 'string',
      default: options.workloadIdentityTenantId,
      help: "with --provider=azure: the managed identity's tenant id (default: the organisation's, found from Azure DevOps; none with --export)",
    },
    { name: 'author-name', type: 'string', default: options.authorName, help: 'author name for Git commits' },
    { name: 'author-email', type: 'string', default: options.authorEmail, help: 'author email for Git commits' },
    {
      name: 'commit-message-appendix',
      type: 'string',
      default: options.commitMessageAppendix,
      help: 'string to add to the commit messages, e.g. "[ci skip]"',
    },
    {
      name: 'force',
      type: 'bool',
      default: false,
      help: 'override existing Flux installation if it is managed by a different tool such as Helm',
    },
    { name: 'silent', short: 's', type: 'bool', default: false, help: 'assumes the deploy key is already setup, skips confirmation' },
    {
      name: 'create-branch',
      type: 'bool',
      default: false,
      help: 'create --branch when the repository exists but does not have it (Flux refuses)',
    },
    // Pull request bootstraps (protected branches).
    {
      name: 'pull-request',
      type: 'bool',
      default: false,
      help: 'push the bootstrap commits to a branch of their own and open an Azure DevOps pull request into --branch; install once it is merged',
    },
    {
      name: 'pull-request-auto-complete',
      type: 'bool',
      default: false,
      help: 'with --pull-request: set auto-complete, so Azure DevOps merges the pull request as soon as its policies pass',
    },
    {
      name: 'dry-run',
      type: 'bool',
      default: false,
      help: 'clone, generate and compare; print what would change in the repository and the cluster, change nothing',
    },
    { name: 'export', type: 'string', default: '', help: 'write the repository files to this folder and exit (no Git, no cluster)' },
    { name: 'allow-insecure-http', type: 'bool', default: options.allowInsecureHttp, help: 'allows insecure HTTP connections' },
    // fleet: many bootstraps into one repository at once
    {
      name: 'push-retries',
      type: 'int',
      default: pushRetries,
      help: 'how often a push another bootstrap beat is rebuilt on the new tip and retried (jittered exponential backoff)',
    },
    // Entra token push (npm/src/azure/).
    {
      name: 'azure-credential',
      type: 'string',
      default: options.azureCredential,
      help: 'push with a Microsoft Entra token instead of a PAT, from this credential: default, cli, workload-identity, managed-identity, environment, pipelines (external: API callers passing azureTokenCredential)',
    },
    {
      name: 'azure-tenant-id',
      type: 'string',
      default: '',
      help: "the Entra tenant to get the token from (default: the organisation's, found from Azure DevOps)",
    },
    {
      name: 'gpg-key-ring',
      type: 'string',
      help: '',
      unsupported: 'commit signing is not implemented yet; sign the commits with your own tooling',
    },
    { name: 'gpg-passphrase', type: 'string', help: '', unsupported: 'commit signing is not implemented yet' },
    { name: 'gpg-key-id', type: 'string', help: '', unsupported: 'commit signing is not implemented yet' },
    { name: 'ssh-signing-key-file', type: 'string', help: '', unsupported: 'commit signing is not implemented yet' },
    { name: 'ssh-signing-password', type: 'string', help: '', unsupported: 'commit signing is not implemented yet' },
  ]);

/** The flags whose value is a path (see `FlagSpec.path`); marked here to keep the tables above plain. */
const PATH_FLAGS = new Set(['export', 'manifests', 'private-key-file', 'ca-file', 'kubeconfig']);

function markPaths(specs: FlagSpec[]): FlagSpec[] {
  for (const spec of specs) {
    if (PATH_FLAGS.has(spec.name) && spec.type === 'string') spec.path = true;
  }
  return specs;
}

// ---- rotate and check (issue #14) ----------------------------------------------------------

/** `flux-azdo rotate`: the new credential's flags, named as bootstrap's. */
export const rotateFlags = ({ options, rsaBits }: Defaults): FlagSpec[] =>
  markPaths([
    {
      name: 'password',
      short: 'p',
      type: 'string',
      secret: true,
      default: '',
      help: "the new PAT, or the new key's passphrase; falls back to GIT_PASSWORD, a prompt, or stdin",
    },
    { name: 'username', short: 'u', type: 'string', default: '', help: "basic authentication username (default: the Secret's)" },
    { name: 'private-key-file', type: 'string', default: '', help: 'the new SSH deploy key (default: a new key is generated)' },
    { name: 'token-auth', type: 'bool', default: false, help: 'the new credential is a PAT (refused when the cluster syncs over SSH)' },
    { name: 'ssh-key-algorithm', type: 'string', default: '', help: 'SSH public key algorithm of a generated key (rsa, ecdsa, ed25519)' },
    { name: 'ssh-rsa-bits', type: 'int', default: rsaBits, help: 'SSH RSA public key bit size (multiplies of 8, 2048 to 8192)' },
    { name: 'ssh-ecdsa-curve', type: 'string', default: options.sshEcdsaCurve, help: 'SSH ECDSA public key curve (p256, p384, p521)' },
    { name: 'ca-file', type: 'string', default: '', help: "TLS CA file for proving the PAT (default: the Secret's ca.crt)" },
    { name: 'name', type: 'string', default: '', help: 'the GitRepository (default: the namespace, as bootstrap names it)' },
    { name: 'silent', short: 's', type: 'bool', default: false, help: 'do not wait for the user to add a generated deploy key' },
    { name: 'dry-run', type: 'bool', default: false, help: 'prove the new credential and print what would change; change nothing' },
  ]);

/** `flux-azdo check`. */
export const checkFlags = ({ patWarnDays }: Defaults): FlagSpec[] => [
  { name: 'name', type: 'string', default: '', help: 'the GitRepository and Kustomization (default: the namespace)' },
  { name: 'warn-days', type: 'int', default: patWarnDays, help: "warn this many days before the PAT's expiry" },
];
