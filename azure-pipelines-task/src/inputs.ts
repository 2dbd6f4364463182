/**
 * The task's inputs, one table for both task.json (scripts/task-json.mjs writes it from here)
 * and the entry (main.ts reads inputs through it). An input that is a CLI flag has the flag's
 * name in camelCase, which is also its `BootstrapOptions` field, and its default is the core's
 * `defaults()` — so the task, the CLI and the API can never disagree on a name or a default.
 */
import type { BootstrapOptions, Defaults } from 'flux-azdo';

export type InputKind = 'string' | 'list' | 'int' | 'boolean' | 'filePath' | 'pickList' | 'secureString' | 'connectedService:AzureRM';

export type InputGroup = 'repository' | 'credentials' | 'cluster' | 'components' | 'sync' | 'advanced';

export interface TaskInput {
  /** task.json's input name: the CLI flag in camelCase, or a task-only name (credentials). */
  name: string;
  /** The CLI flag it stands for (kebab-case), absent for task-only inputs. */
  flag?: string;
  /** The `BootstrapOptions` field it fills, absent for task-only inputs and `dryRun`. */
  option?: keyof BootstrapOptions;
  kind: InputKind;
  label: string;
  help: string;
  group: InputGroup;
  required?: boolean;
  /** The default, from the core where there is one; task.json holds it as text. */
  default?: (d: Defaults) => string;
  /** pickList values → labels. */
  options?: Record<string, string>;
  /** task.json's visibleRule (e.g. `authentication = sshKey`). */
  visibleRule?: string;
}

/** How the task pushes (and, with `tokenAuth`, how the cluster syncs). */
export const AUTHENTICATION = {
  systemAccessToken: 'The pipeline’s System.AccessToken (a repository in the same organization)',
  personalAccessToken: 'A personal access token (a secret variable)',
  sshKey: 'An SSH private key (a secure file)',
  azurePipelines: 'Workload identity federation (an Azure Resource Manager service connection)',
} as const;

export type Authentication = keyof typeof AUTHENTICATION;

const list = (values: string[]): string => values.join(',');

/** Every input, in task.json's order. */
export const INPUTS: TaskInput[] = [
  // repository
  {
    name: 'url',
    flag: 'url',
    option: 'url',
    kind: 'string',
    label: 'Repository URL',
    required: true,
    group: 'repository',
    help: 'The Azure DevOps repository: `https://dev.azure.com/<org>/<project>/_git/<repo>` or `ssh://git@ssh.dev.azure.com/v3/<org>/<project>/<repo>` (`--url`).',
  },
  {
    name: 'branch',
    flag: 'branch',
    option: 'branch',
    kind: 'string',
    label: 'Branch',
    group: 'repository',
    default: (d) => d.options.branch,
    help: 'The Git branch (`--branch`).',
  },
  {
    name: 'path',
    flag: 'path',
    option: 'path',
    kind: 'string',
    label: 'Path in the repository',
    group: 'repository',
    default: (d) => d.options.path,
    help: 'The folder the cluster syncs, e.g. `clusters/$(cluster)` (`--path`). Each cluster of a fleet has its own; many jobs may bootstrap into one repository at once.',
  },
  {
    name: 'dryRun',
    flag: 'dry-run',
    kind: 'boolean',
    label: 'Dry run',
    group: 'repository',
    default: () => 'false',
    help: 'Clone, generate and compare; report what would change in the repository and the cluster, change nothing (`--dry-run`).',
  },
  // credentials
  {
    name: 'authentication',
    kind: 'pickList',
    label: 'Authentication',
    group: 'credentials',
    required: true,
    default: () => 'systemAccessToken',
    options: AUTHENTICATION,
    help: 'How the task pushes. System.AccessToken needs `env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }` on the step and Contribute on the repository for the build service.',
  },
  {
    name: 'personalAccessToken',
    kind: 'secureString',
    label: 'Personal access token',
    group: 'credentials',
    visibleRule: 'authentication = personalAccessToken',
    help: 'A secret variable holding a PAT with Code (Read & Write), e.g. `$(FLUX_PAT)` (`--password`).',
  },
  {
    name: 'privateKeyFile',
    flag: 'private-key-file',
    option: 'privateKeyFile',
    kind: 'filePath',
    label: 'SSH private key file',
    group: 'credentials',
    visibleRule: 'authentication = sshKey',
    help: 'The key from a DownloadSecureFile@1 step, e.g. `$(deployKey.secureFilePath)` (`--private-key-file`).',
  },
  {
    name: 'sshPassphrase',
    kind: 'secureString',
    label: 'SSH key passphrase',
    group: 'credentials',
    visibleRule: 'authentication = sshKey',
    help: 'The key’s passphrase, from a secret variable (`--password` with an SSH key).',
  },
  {
    name: 'azureSubscription',
    kind: 'connectedService:AzureRM',
    label: 'Azure Resource Manager service connection',
    group: 'credentials',
    visibleRule: 'authentication = azurePipelines',
    help: 'A service connection with workload identity federation whose service principal is a member of the Azure DevOps organization: the task pushes with its Microsoft Entra token (`--azure-credential=pipelines`; needs `SYSTEM_ACCESSTOKEN: $(System.AccessToken)` on the step, which asks the pipeline for the federated token).',
  },
  {
    name: 'tokenAuth',
    flag: 'token-auth',
    option: 'tokenAuth',
    kind: 'boolean',
    label: 'Cluster syncs with the token',
    group: 'credentials',
    default: (d) => String(d.options.tokenAuth),
    help: 'The cluster syncs over HTTPS with the token instead of an SSH deploy key (`--token-auth`). With System.AccessToken this puts a token that expires with the job into the cluster: use a PAT for that.',
  },
  {
    name: 'withBearerToken',
    flag: 'with-bearer-token',
    option: 'withBearerToken',
    kind: 'boolean',
    label: 'Bearer token',
    group: 'credentials',
    default: (d) => String(d.options.withBearerToken),
    help: 'The cluster sends the token as a bearer token (`--with-bearer-token`).',
  },
  {
    name: 'username',
    flag: 'username',
    option: 'username',
    kind: 'string',
    label: 'Username',
    group: 'credentials',
    default: (d) => d.options.username,
    help: 'Basic authentication username (`--username`).',
  },
  {
    name: 'caFile',
    flag: 'ca-file',
    option: 'caFile',
    kind: 'filePath',
    label: 'CA file',
    group: 'credentials',
    help: 'The TLS CA of an Azure DevOps Server with a private CA, PEM (`--ca-file`).',
  },
  // cluster
  {
    name: 'kubeconfig',
    flag: 'kubeconfig',
    option: 'kubeconfig',
    kind: 'filePath',
    label: 'Kubeconfig file',
    group: 'cluster',
    required: true,
    help: 'The cluster’s kubeconfig, e.g. written by `az aks get-credentials --file $(Agent.TempDirectory)/kubeconfig` in an AzureCLI@2 step (`--kubeconfig`).',
  },
  {
    name: 'context',
    flag: 'context',
    option: 'context',
    kind: 'string',
    label: 'Kubeconfig context',
    group: 'cluster',
    help: 'The context to use, else the kubeconfig’s current one (`--context`).',
  },
  {
    name: 'namespace',
    flag: 'namespace',
    option: 'namespace',
    kind: 'string',
    label: 'Namespace',
    group: 'cluster',
    default: (d) => d.options.namespace,
    help: 'Flux’s namespace (`--namespace`).',
  },
  {
    name: 'timeout',
    flag: 'timeout',
    option: 'timeout',
    kind: 'string',
    label: 'Timeout',
    group: 'cluster',
    default: (d) => d.timeout,
    help: 'How long to wait for the cluster (`--timeout`).',
  },
  {
    name: 'force',
    flag: 'force',
    option: 'force',
    kind: 'boolean',
    label: 'Take over from another tool',
    group: 'cluster',
    default: () => 'false',
    help: 'Override an existing Flux installation managed by another tool such as Helm (`--force`).',
  },
  // components
  {
    name: 'version',
    flag: 'version',
    option: 'version',
    kind: 'string',
    label: 'Flux version',
    group: 'components',
    default: () => '',
    help: 'The Flux version; empty: the one this task was built for (`--version`).',
  },
  {
    name: 'components',
    flag: 'components',
    option: 'components',
    kind: 'list',
    label: 'Components',
    group: 'components',
    default: (d) => list(d.options.components),
    help: 'Comma-separated components (`--components`).',
  },
  {
    name: 'componentsExtra',
    flag: 'components-extra',
    option: 'componentsExtra',
    kind: 'list',
    label: 'Extra components',
    group: 'components',
    default: (d) => list(d.options.componentsExtra),
    help: 'Comma-separated extra components (`--components-extra`).',
  },
  {
    name: 'registry',
    flag: 'registry',
    option: 'registry',
    kind: 'string',
    label: 'Registry',
    group: 'components',
    default: (d) => d.options.registry,
    help: 'Where the toolkit images are published (`--registry`).',
  },
  {
    name: 'imagePullSecret',
    flag: 'image-pull-secret',
    option: 'imagePullSecret',
    kind: 'string',
    label: 'Image pull secret',
    group: 'components',
    default: (d) => d.options.imagePullSecret,
    help: '`--image-pull-secret`.',
  },
  {
    name: 'watchAllNamespaces',
    flag: 'watch-all-namespaces',
    option: 'watchAllNamespaces',
    kind: 'boolean',
    label: 'Watch all namespaces',
    group: 'components',
    default: (d) => String(d.options.watchAllNamespaces),
    help: '`--watch-all-namespaces`.',
  },
  {
    name: 'networkPolicy',
    flag: 'network-policy',
    option: 'networkPolicy',
    kind: 'boolean',
    label: 'Network policy',
    group: 'components',
    default: (d) => String(d.options.networkPolicy),
    help: '`--network-policy`.',
  },
  {
    name: 'logLevel',
    flag: 'log-level',
    option: 'logLevel',
    kind: 'string',
    label: 'Log level',
    group: 'components',
    default: (d) => d.options.logLevel,
    help: '`--log-level`.',
  },
  {
    name: 'clusterDomain',
    flag: 'cluster-domain',
    option: 'clusterDomain',
    kind: 'string',
    label: 'Cluster domain',
    group: 'components',
    default: (d) => d.options.clusterDomain,
    help: '`--cluster-domain`.',
  },
  {
    name: 'tolerationKeys',
    flag: 'toleration-keys',
    option: 'tolerationKeys',
    kind: 'list',
    label: 'Toleration keys',
    group: 'components',
    default: (d) => list(d.options.tolerationKeys),
    help: '`--toleration-keys`.',
  },
  {
    name: 'manifests',
    flag: 'manifests',
    option: 'manifests',
    kind: 'filePath',
    label: 'Flux manifests',
    group: 'components',
    help: 'Flux’s manifests as a folder or manifests.tar.gz, for agents without internet access (`--manifests`).',
  },
  // sync
  {
    name: 'interval',
    flag: 'interval',
    option: 'interval',
    kind: 'string',
    label: 'Sync interval',
    group: 'sync',
    default: (d) => d.options.interval,
    help: '`--interval`.',
  },
  {
    name: 'secretName',
    flag: 'secret-name',
    option: 'secretName',
    kind: 'string',
    label: 'Secret name',
    group: 'sync',
    default: (d) => d.options.secretName,
    help: '`--secret-name`.',
  },
  {
    name: 'recurseSubmodules',
    flag: 'recurse-submodules',
    option: 'recurseSubmodules',
    kind: 'boolean',
    label: 'Recurse submodules',
    group: 'sync',
    default: (d) => String(d.options.recurseSubmodules),
    help: '`--recurse-submodules`.',
  },
  {
    name: 'sparseCheckout',
    flag: 'sparse-checkout',
    option: 'sparseCheckout',
    kind: 'list',
    label: 'Sparse checkout',
    group: 'sync',
    default: (d) => list(d.options.sparseCheckout),
    help: '`--sparse-checkout`.',
  },
  {
    name: 'sshKeyAlgorithm',
    flag: 'ssh-key-algorithm',
    option: 'sshKeyAlgorithm',
    kind: 'string',
    label: 'SSH key algorithm',
    group: 'sync',
    default: () => '',
    help: '`--ssh-key-algorithm` (rsa for Azure DevOps).',
  },
  {
    name: 'sshRsaBits',
    flag: 'ssh-rsa-bits',
    option: 'sshRsaBits',
    kind: 'int',
    label: 'SSH RSA bits',
    group: 'sync',
    default: (d) => String(d.rsaBits),
    help: '`--ssh-rsa-bits`.',
  },
  {
    name: 'sshEcdsaCurve',
    flag: 'ssh-ecdsa-curve',
    option: 'sshEcdsaCurve',
    kind: 'string',
    label: 'SSH ECDSA curve',
    group: 'sync',
    default: (d) => d.options.sshEcdsaCurve,
    help: '`--ssh-ecdsa-curve`.',
  },
  {
    name: 'sshHostkeyAlgos',
    flag: 'ssh-hostkey-algos',
    option: 'sshHostkeyAlgos',
    kind: 'list',
    label: 'SSH host key algorithms',
    group: 'sync',
    default: (d) => list(d.options.sshHostkeyAlgos),
    help: '`--ssh-hostkey-algos`.',
  },
  {
    name: 'sshHostname',
    flag: 'ssh-hostname',
    option: 'sshHostname',
    kind: 'string',
    label: 'SSH hostname',
    group: 'sync',
    default: (d) => d.options.sshHostname,
    help: '`--ssh-hostname`.',
  },
  // advanced
  {
    name: 'authorName',
    flag: 'author-name',
    option: 'authorName',
    kind: 'string',
    label: 'Commit author name',
    group: 'advanced',
    default: (d) => d.options.authorName,
    help: '`--author-name`.',
  },
  {
    name: 'authorEmail',
    flag: 'author-email',
    option: 'authorEmail',
    kind: 'string',
    label: 'Commit author email',
    group: 'advanced',
    default: (d) => d.options.authorEmail,
    help: '`--author-email`.',
  },
  {
    name: 'commitMessageAppendix',
    flag: 'commit-message-appendix',
    option: 'commitMessageAppendix',
    kind: 'string',
    label: 'Commit message appendix',
    group: 'advanced',
    default: (d) => d.options.commitMessageAppendix,
    help: 'Added to the commit messages, e.g. `[skip ci]` so the bootstrap commits do not start this pipeline again (`--commit-message-appendix`).',
  },
  {
    name: 'createBranch',
    flag: 'create-branch',
    option: 'createBranch',
    kind: 'boolean',
    label: 'Create the branch',
    group: 'advanced',
    default: () => 'false',
    help: '`--create-branch`.',
  },
  {
    name: 'pushRetries',
    flag: 'push-retries',
    option: 'pushRetries',
    kind: 'int',
    label: 'Push retries',
    group: 'advanced',
    default: (d) => String(d.pushRetries),
    help: 'How often a push that another job beat is rebuilt on the new tip and retried, with jittered exponential backoff (`--push-retries`).',
  },
  {
    name: 'allowInsecureHttp',
    flag: 'allow-insecure-http',
    option: 'allowInsecureHttp',
    kind: 'boolean',
    label: 'Allow insecure HTTP',
    group: 'advanced',
    default: (d) => String(d.options.allowInsecureHttp),
    help: '`--allow-insecure-http`.',
  },
];

/** The output variables the task sets. */
export const OUTPUT_VARIABLES = [
  {
    name: 'revision',
    description:
      'The `<branch>@sha1:<sha>` holding this bootstrap’s sync commit, which the cluster reconciled (or a later one containing it).',
  },
  { name: 'commits', description: 'The commits this run pushed, comma-separated SHAs (empty when the repository was up to date).' },
  {
    name: 'pullRequestUrl',
    description: 'The pull request’s URL in pull-request mode (pending: empty until flux-azdo has `--pull-request`).',
  },
] as const;
