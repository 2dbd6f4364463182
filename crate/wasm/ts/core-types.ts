// Generated from the Rust core's types by crate/core/tests/ts_types.rs. Do not edit:
// run `UPDATE=1 cargo test -p flux-azdo-core --features ts --test ts_types`.

export type Manifest = { 
/**
 * Slash-separated path relative to the repository root, e.g. `clusters/my-cluster/flux-system/gotk-sync.yaml`.
 */
path: string, 
/**
 * The exact bytes to write.
 */
content: string, };

export type ErrorCode = "INVALID_OPTION" | "INVALID_URL" | "INVALID_BUNDLE" | "INVALID_YAML" | "INVALID_KEY" | "KEY_PASSPHRASE_REQUIRED" | "WRONG_PASSPHRASE" | "KEY_NOT_RSA" | "KUSTOMIZATION_NOT_PATCHABLE" | "INVALID_HOST_KEY" | "PATH_CONFLICT" | "INVALID_INPUT" | "INTERNAL" | "OPTION_REQUIRED" | "OPTION_CONFLICT" | "KUSTOMIZATION_UNSUPPORTED" | "KUSTOMIZATION_INVALID" | "CREDENTIAL_NOT_ROTATABLE" | "CREDENTIAL_KIND_SWITCH";

export type InstallOptions = { 
/**
 * Flux version written in the header, e.g. `v2.9.4`.
 */
version?: string, namespace?: string, components?: Array<string>, componentsExtra?: Array<string>, registry?: string, imagePullSecret?: string, watchAllNamespaces?: boolean, networkPolicy?: boolean, logLevel?: string, clusterDomain?: string, tolerationKeys?: Array<string>, 
/**
 * `--path`: the file goes to `<path>/<namespace>/gotk-components.yaml`.
 */
targetPath?: string, };

export type SyncOptions = { 
/**
 * The URL the cluster syncs from (already in Flux's sync form, see `azure_url::SyncUrl`).
 */
url: string, 
/**
 * `-n`: also the name of both objects, as in Flux.
 */
namespace?: string, branch?: string, tag?: string, semver?: string, commit?: string, 
/**
 * GitRepository interval as the user wrote it (`1m`, `90s`); written in Go's form (`1m0s`).
 */
interval?: string, secretName?: string, targetPath?: string, recurseSubmodules?: boolean, sparseCheckout?: Array<string>, 
/**
 * `azure` syncs through Azure workload identity: no Secret, `provider: azure`.
 */
provider?: string, };

export type KustomizationOptions = { 
/**
 * `-n` (Flux's default `flux-system`).
 */
namespace?: string, targetPath?: string, 
/**
 * The `<path>/<namespace>/kustomization.yaml` already in the repository, if any.
 */
existing?: string, 
/**
 * `--ssh-hostkey-algos`: when set, the controllers get the flag through a patch.
 */
sshHostkeyAlgos?: Array<string>, 
/**
 * `--provider=azure`: the controllers get the workload identity through two patches.
 */
workloadIdentity?: WorkloadIdentity, };

export type KustomizationOutput = { manifest: Manifest, changed: boolean, };

export type SecretString = string;

export type SecretOptions = { 
/**
 * `--secret-name` (Flux's default `flux-system`).
 */
name?: string, 
/**
 * `-n` (Flux's default `flux-system`).
 */
namespace?: string, 
/**
 * How the controllers authenticate; decides the Secret's keys.
 */
auth: SecretAuth, };

export type SecretAuth = { "type": "token", username: string, password: SecretString, 
/**
 * `--ca-file` content (PEM).
 */
caCrt?: string, } | { "type": "bearer", token: SecretString, caCrt?: string, } | { "type": "ssh", 
/**
 * Private key (PEM), as given or generated.
 */
identity: SecretString, 
/**
 * `authorized_keys` line of the public key.
 */
identityPub: string, 
/**
 * The scanned host key line(s) for the sync URL's host.
 */
knownHosts: string, 
/**
 * `--password`: the private key's passphrase, if it has one.
 */
passphrase?: SecretString, };

export type Secret = { name: string, namespace: string, 
/**
 * The Secret's `type`; none (Kubernetes' `Opaque`) for the Git Secret, as Flux writes it.
 */
type?: string, 
/**
 * Key → value; the values include credentials.
 */
stringData: { [key in string]: string }, };

export type ImagePullSecretOptions = { 
/**
 * `--image-pull-secret`: the Secret's name.
 */
name: string, 
/**
 * `-n` (Flux's default `flux-system`).
 */
namespace?: string, 
/**
 * `--registry`: the entry's key in `auths`, as given.
 */
registry: string, 
/**
 * `--registry-creds`: `user:password` (the password may itself contain `:`).
 */
credentials: SecretString, };

export type ImagePullSecretPlan = { name: string, namespace: string, registry: string, 
/**
 * The registry user (not a secret; shown in messages).
 */
username: string, };

export type HostKind = "azureDevOpsServices" | "azureDevOpsServer" | "generic";

export type Repo = { kind: HostKind, 
/**
 * Organization (Services) or collection path (Server, e.g. `DefaultCollection` or
 * `tfs/DefaultCollection`); empty for a generic host. Decoded text.
 */
organization: string, 
/**
 * Project name, decoded (`My Project`); empty for a generic host.
 */
project: string, 
/**
 * Repository name, decoded; for a generic host the last path segment without `.git`.
 */
name: string, 
/**
 * The URL in the transport it was given in, normalized: no password, no browser parts,
 * scp-like syntax turned into `ssh://`, names %-encoded as Go writes them.
 */
url: string, 
/**
 * Clone URL over HTTPS (over `http://` only for a Server given as `http://`).
 */
httpsUrl: string, 
/**
 * Clone URL over SSH (`ssh://git@ssh.dev.azure.com/v3/org/project/repo` for Services).
 */
sshUrl: string, 
/**
 * The host of `httpsUrl` as a browser's `URL.host` writes it: lowercase, IPv6 in brackets
 * and compressed, the port only when it is not the scheme's default (443, 80). So
 * `dev.azure.com` for Services in every form (a `*.visualstudio.com` URL clones from
 * dev.azure.com too), `host[:port]` of a Server or another Git host. Front ends key what
 * they remember per host on it (the VS Code extension's stored PATs).
 */
host: string, };

export type SyncUrlOptions = { 
/**
 * The cluster syncs over HTTPS (`--token-auth`, `--with-bearer-token`, workload
 * identity); otherwise over SSH.
 */
https?: boolean, 
/**
 * `--username` (default `git`): the SSH user when the URL has none or it is not `git`.
 */
username?: string, 
/**
 * `--ssh-hostname`: replaces `host[:port]` of the SSH sync URL and of the host key scan.
 */
sshHostname?: string, 
/**
 * `--allow-insecure-http`.
 */
allowInsecureHttp?: boolean, };

export type SshHost = { 
/**
 * The host name or address, IPv6 without brackets (as a socket or known_hosts takes it).
 */
host: string, 
/**
 * 22 unless the URL names another port.
 */
port: number, };

export type SyncUrl = { 
/**
 * The GitRepository's `spec.url`.
 */
url: string, 
/**
 * For SSH: the host to scan for known_hosts (Flux's `SSHHostname`); none for HTTPS.
 */
sshHost?: SshHost, };

export type PushTarget = { "transport": "https", 
/**
 * The clone URL.
 */
url: string, } | { "transport": "ssh", 
/**
 * The `ssh://` URL.
 */
url: string, 
/**
 * Host name or address; IPv6 without brackets.
 */
host: string, 
/**
 * 22 unless the URL names another port.
 */
port: number, 
/**
 * The SSH user (`git` when the URL names none).
 */
username: string, 
/**
 * The repository path as the server sees it (%-decoded), e.g. `/v3/org/project/repo`.
 */
path: string, 
/**
 * Host key algorithms to offer (empty: the SSH client's own list).
 */
hostKeyAlgorithms: Array<string>, };

export type SshHostPolicy = { publishedFingerprints: Array<string>, hostKeyAlgorithms: Array<string>, };

export type KeyAlgorithm = "rsa" | "ecdsa" | "ed25519";

export type EcdsaCurve = "p256" | "p384" | "p521";

export type KeyPair = { 
/**
 * The SSH key type: `ssh-rsa`, `ecdsa-sha2-nistp256|384|521` or `ssh-ed25519`.
 */
algorithm: string, 
/**
 * The RSA modulus size, the ECDSA curve size, or 256 for Ed25519.
 */
bits: number, 
/**
 * What goes into the Secret's `identity`: the PKCS#8 PEM of a generated key (as Flux
 * writes it), or the user's key file exactly as given (as Flux keeps it).
 */
identity: SecretString, 
/**
 * Whether `identity` is encrypted, i.e. the Secret also needs the passphrase as `password`.
 */
identityEncrypted: boolean, 
/**
 * The private key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`); RSA keys only.
 */
privateKeyPkcs8?: SecretString, 
/**
 * The private key in OpenSSH format, for the user's own file and for SSH clients. A
 * generated key is encrypted with the passphrase given (bcrypt + aes256-ctr); a loaded key
 * is re-encoded unencrypted (the user already has their own file).
 */
privateKeyOpenssh: SecretString, 
/**
 * Whether `private_key_openssh` is encrypted.
 */
opensshEncrypted: boolean, 
/**
 * The public key as an authorized_keys line without comment, ending in `\n` (Flux's
 * `identity.pub`).
 */
publicKey: string, 
/**
 * `SHA256:...`, as `ssh-keygen -l` prints it.
 */
fingerprint: string, };

export type KeyGenerator = "webcrypto" | "rust";

export type GeneratedKeyPair = { generator: KeyGenerator, 
/**
 * The SSH key type: `ssh-rsa`, `ecdsa-sha2-nistp256|384|521` or `ssh-ed25519`.
 */
algorithm: string, 
/**
 * The RSA modulus size, the ECDSA curve size, or 256 for Ed25519.
 */
bits: number, 
/**
 * What goes into the Secret's `identity`: the PKCS#8 PEM of a generated key (as Flux
 * writes it), or the user's key file exactly as given (as Flux keeps it).
 */
identity: SecretString, 
/**
 * Whether `identity` is encrypted, i.e. the Secret also needs the passphrase as `password`.
 */
identityEncrypted: boolean, 
/**
 * The private key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`); RSA keys only.
 */
privateKeyPkcs8?: SecretString, 
/**
 * The private key in OpenSSH format, for the user's own file and for SSH clients. A
 * generated key is encrypted with the passphrase given (bcrypt + aes256-ctr); a loaded key
 * is re-encoded unencrypted (the user already has their own file).
 */
privateKeyOpenssh: SecretString, 
/**
 * Whether `private_key_openssh` is encrypted.
 */
opensshEncrypted: boolean, 
/**
 * The public key as an authorized_keys line without comment, ending in `\n` (Flux's
 * `identity.pub`).
 */
publicKey: string, 
/**
 * `SHA256:...`, as `ssh-keygen -l` prints it.
 */
fingerprint: string, };

export type GenerateRsaKeyOptions = { 
/**
 * `--ssh-rsa-bits`: 2048 to 8192, a multiple of 8.
 */
bits?: number, 
/**
 * Encrypts `privateKeyOpenssh` (bcrypt KDF, aes256-ctr, as `ssh-keygen -N`).
 */
passphrase?: SecretString, };

export type LoadPrivateKeyOptions = { 
/**
 * The key file's content: OpenSSH, PKCS#1, SEC1 or PKCS#8 PEM.
 */
privateKey: string | Uint8Array, 
/**
 * `--password`: the key's passphrase, when it is encrypted.
 */
passphrase?: SecretString, 
/**
 * Refuse non-RSA keys (`KEY_NOT_RSA`), as Azure DevOps SSH accepts only RSA.
 */
requireRsa?: boolean, };

export type KnownHostsLineOptions = { 
/**
 * Host name or address (IPv6 with or without brackets).
 */
host: string, port: number, 
/**
 * The key type the server named, e.g. `ssh-rsa`.
 */
keyType: string, 
/**
 * The public key blob, base64.
 */
keyBlob: string, };

export type CheckHostKeyOptions = { 
/**
 * known_hosts text (OpenSSH format: patterns, hashed names, `@revoked`).
 */
knownHosts: string, 
/**
 * Host name or address the connection was made to.
 */
host: string, port: number, 
/**
 * The presented public key blob, base64.
 */
keyBlob: string, };

export type HostKeyVerdict = "pinned" | "mismatch" | "revoked" | "unlisted";

export type HostKeyCheck = { verdict: HostKeyVerdict, hostName: string, 
/**
 * How many keys the text pins for the host (0 when unlisted).
 */
pinnedKeys: number, };

export type DurationOptions = { 
/**
 * The flag the text came from (named in the error), e.g. `timeout`.
 */
option: string, 
/**
 * A Go duration: `5m`, `90s`, `1h30m`.
 */
text: string, };

export type SyncPathCheck = { 
/**
 * `spec.path` of the cluster's Flux Kustomization.
 */
existing: string, 
/**
 * `--path` as given.
 */
wanted: string, };

export type PushTargetOptions = { 
/**
 * The repository URL, any accepted form.
 */
url: string, 
/**
 * `--ssh-hostkey-algos`.
 */
sshHostkeyAlgos?: Array<string>, };

export type PlanOptions = { 
/**
 * `--url`: the repository, in any Azure DevOps form (or any Git URL).
 */
url: string, 
/**
 * `--branch`: the branch to commit to and sync from.
 */
branch?: string, 
/**
 * `--path`: the folder of the cluster's files, relative to the repository root.
 */
path?: string, 
/**
 * `--interval`: how often the cluster fetches the repository (a Go duration).
 */
interval?: string, 
/**
 * `--token-auth`: the cluster syncs over HTTPS with the PAT (and the CLI pushes over HTTPS).
 */
tokenAuth?: boolean, 
/**
 * `--with-bearer-token`: the cluster sends the PAT as a bearer token.
 */
withBearerToken?: boolean, 
/**
 * `--username`: the HTTPS user, or the SSH user when the URL names none.
 */
username?: string, 
/**
 * `--ssh-hostname`: the SSH host (`host[:port]`) the cluster syncs from, if not the URL's.
 */
sshHostname?: string, 
/**
 * `--ssh-hostkey-algos`: host key algorithms to offer (Azure DevOps: RSA SHA-2 by default).
 */
sshHostkeyAlgos?: Array<string>, 
/**
 * `--ssh-key-algorithm`: the deploy key to generate; unset is RSA on Azure DevOps (the only
 * kind it accepts), ECDSA elsewhere (Flux's default).
 */
sshKeyAlgorithm?: KeyAlgorithm, 
/**
 * `--ssh-rsa-bits`: the size of a generated RSA key, 2048 to 8192.
 */
sshRsaBits?: number, 
/**
 * `--ssh-ecdsa-curve`: the curve of a generated ECDSA key.
 */
sshEcdsaCurve?: EcdsaCurve, 
/**
 * `--allow-insecure-http`: accept an `http://` URL.
 */
allowInsecureHttp?: boolean, 
/**
 * `--secret-name`: the cluster's Git credential Secret.
 */
secretName?: string, 
/**
 * `--recurse-submodules`: the cluster also fetches submodules.
 */
recurseSubmodules?: boolean, 
/**
 * `--sparse-checkout`: the folders the cluster fetches (all when empty).
 */
sparseCheckout?: Array<string>, 
/**
 * `--provider`: `azure` syncs with Azure workload identity (no Secret).
 */
provider?: string, 
/**
 * `--version`: the Flux version to install, e.g. `v2.9.4`.
 */
version?: string, 
/**
 * `--namespace`: where Flux runs; also the name of its sync objects.
 */
namespace?: string, 
/**
 * `--components`: the controllers to install.
 */
components?: Array<string>, 
/**
 * `--components-extra`: optional controllers to install as well.
 */
componentsExtra?: Array<string>, 
/**
 * `--registry`: where the controller images come from.
 */
registry?: string, 
/**
 * `--image-pull-secret`: the Secret for a private registry.
 */
imagePullSecret?: string, 
/**
 * `--watch-all-namespaces`: the controllers watch every namespace, not only their own.
 */
watchAllNamespaces?: boolean, 
/**
 * `--network-policy`: install Flux's network policies.
 */
networkPolicy?: boolean, 
/**
 * `--log-level`: `debug`, `info` or `error`.
 */
logLevel?: string, 
/**
 * `--cluster-domain`: the cluster's DNS domain.
 */
clusterDomain?: string, 
/**
 * `--toleration-keys`: taints the controllers tolerate.
 */
tolerationKeys?: Array<string>, 
/**
 * `--author-name`: the commits' author.
 */
authorName?: string, 
/**
 * `--author-email`: the commits' author's e-mail (empty, as Flux's default).
 */
authorEmail?: string, 
/**
 * `--commit-message-appendix`: added to both commit messages after a blank line.
 */
commitMessageAppendix?: string, 
/**
 * The `<path>/<namespace>/kustomization.yaml` already in the repository, kept as it is.
 */
existingKustomization?: string, 
/**
 * `--pull-request`: the commits go to a branch of their own and reach `branch` through an
 * Azure DevOps pull request (for branches whose policies refuse direct pushes).
 */
pullRequest?: boolean, 
/**
 * `--pull-request-auto-complete`: the pull request completes itself once its policies pass.
 */
pullRequestAutoComplete?: boolean, 
/**
 * The cluster the pull request's description names (the host's kubeconfig context).
 */
pullRequestCluster?: string, 
/**
 * `--workload-identity-client-id`: the managed identity the controllers sync as
 * (required with `--provider=azure`).
 */
workloadIdentityClientId?: string, 
/**
 * `--workload-identity-tenant-id`: the identity's tenant (the host discovers the
 * organisation's when it can; empty leaves the cluster webhook's default).
 */
workloadIdentityTenantId?: string, 
/**
 * `--azure-credential`: push with a Microsoft Entra token from this credential (`default`,
 * `cli`, `workload-identity`, `managed-identity`, `environment`, `pipelines`) instead of a
 * PAT; empty: no Entra token.
 */
azureCredential?: string, 
/**
 * `--registry-creds`: `user:password` for `--registry`; with `--image-pull-secret`, the
 * cluster gets that image pull Secret. Never in the repository files.
 */
registryCreds?: SecretString, };

export type PlanDefaults = { 
/**
 * `--url`: the repository, in any Azure DevOps form (or any Git URL).
 */
url: string, 
/**
 * `--branch`: the branch to commit to and sync from.
 */
branch: string, 
/**
 * `--path`: the folder of the cluster's files, relative to the repository root.
 */
path: string, 
/**
 * `--interval`: how often the cluster fetches the repository (a Go duration).
 */
interval: string, 
/**
 * `--token-auth`: the cluster syncs over HTTPS with the PAT (and the CLI pushes over HTTPS).
 */
tokenAuth: boolean, 
/**
 * `--with-bearer-token`: the cluster sends the PAT as a bearer token.
 */
withBearerToken: boolean, 
/**
 * `--username`: the HTTPS user, or the SSH user when the URL names none.
 */
username: string, 
/**
 * `--ssh-hostname`: the SSH host (`host[:port]`) the cluster syncs from, if not the URL's.
 */
sshHostname: string, 
/**
 * `--ssh-hostkey-algos`: host key algorithms to offer (Azure DevOps: RSA SHA-2 by default).
 */
sshHostkeyAlgos: Array<string>, 
/**
 * `--ssh-key-algorithm`: the deploy key to generate; unset is RSA on Azure DevOps (the only
 * kind it accepts), ECDSA elsewhere (Flux's default).
 */
sshKeyAlgorithm?: KeyAlgorithm, 
/**
 * `--ssh-rsa-bits`: the size of a generated RSA key, 2048 to 8192.
 */
sshRsaBits: number, 
/**
 * `--ssh-ecdsa-curve`: the curve of a generated ECDSA key.
 */
sshEcdsaCurve: EcdsaCurve, 
/**
 * `--allow-insecure-http`: accept an `http://` URL.
 */
allowInsecureHttp: boolean, 
/**
 * `--secret-name`: the cluster's Git credential Secret.
 */
secretName: string, 
/**
 * `--recurse-submodules`: the cluster also fetches submodules.
 */
recurseSubmodules: boolean, 
/**
 * `--sparse-checkout`: the folders the cluster fetches (all when empty).
 */
sparseCheckout: Array<string>, 
/**
 * `--provider`: `azure` syncs with Azure workload identity (no Secret).
 */
provider: string, 
/**
 * `--version`: the Flux version to install, e.g. `v2.9.4`.
 */
version: string, 
/**
 * `--namespace`: where Flux runs; also the name of its sync objects.
 */
namespace: string, 
/**
 * `--components`: the controllers to install.
 */
components: Array<string>, 
/**
 * `--components-extra`: optional controllers to install as well.
 */
componentsExtra: Array<string>, 
/**
 * `--registry`: where the controller images come from.
 */
registry: string, 
/**
 * `--image-pull-secret`: the Secret for a private registry.
 */
imagePullSecret: string, 
/**
 * `--watch-all-namespaces`: the controllers watch every namespace, not only their own.
 */
watchAllNamespaces: boolean, 
/**
 * `--network-policy`: install Flux's network policies.
 */
networkPolicy: boolean, 
/**
 * `--log-level`: `debug`, `info` or `error`.
 */
logLevel: string, 
/**
 * `--cluster-domain`: the cluster's DNS domain.
 */
clusterDomain: string, 
/**
 * `--toleration-keys`: taints the controllers tolerate.
 */
tolerationKeys: Array<string>, 
/**
 * `--author-name`: the commits' author.
 */
authorName: string, 
/**
 * `--author-email`: the commits' author's e-mail (empty, as Flux's default).
 */
authorEmail: string, 
/**
 * `--commit-message-appendix`: added to both commit messages after a blank line.
 */
commitMessageAppendix: string, 
/**
 * The `<path>/<namespace>/kustomization.yaml` already in the repository, kept as it is.
 */
existingKustomization?: string, 
/**
 * `--pull-request`: the commits go to a branch of their own and reach `branch` through an
 * Azure DevOps pull request (for branches whose policies refuse direct pushes).
 */
pullRequest: boolean, 
/**
 * `--pull-request-auto-complete`: the pull request completes itself once its policies pass.
 */
pullRequestAutoComplete: boolean, 
/**
 * The cluster the pull request's description names (the host's kubeconfig context).
 */
pullRequestCluster: string, 
/**
 * `--workload-identity-client-id`: the managed identity the controllers sync as
 * (required with `--provider=azure`).
 */
workloadIdentityClientId: string, 
/**
 * `--workload-identity-tenant-id`: the identity's tenant (the host discovers the
 * organisation's when it can; empty leaves the cluster webhook's default).
 */
workloadIdentityTenantId: string, 
/**
 * `--azure-credential`: push with a Microsoft Entra token from this credential (`default`,
 * `cli`, `workload-identity`, `managed-identity`, `environment`, `pipelines`) instead of a
 * PAT; empty: no Entra token.
 */
azureCredential: string, 
/**
 * `--registry-creds`: `user:password` for `--registry`; with `--image-pull-secret`, the
 * cluster gets that image pull Secret. Never in the repository files.
 */
registryCreds: SecretString, };

export type SyncAuth = "token" | "bearer" | "ssh" | "workloadIdentity";

export type DeployKeySpec = { algorithm: KeyAlgorithm, 
/**
 * For RSA.
 */
rsaBits: number, 
/**
 * For ECDSA.
 */
ecdsaCurve: EcdsaCurve, };

export type Author = { name: string, email: string, };

export type Commits = { 
/**
 * `Add Flux <version> component manifests` (+ the appendix).
 */
componentsMessage: string, 
/**
 * `Add Flux sync manifests` (+ the appendix).
 */
syncMessage: string, author: Author, };

export type PullRequestPlan = { 
/**
 * The branch the bootstrap commits are pushed to: `flux-bootstrap/<path>` (`root` for the
 * repository root), one per cluster folder, so a re-run finds its own pull request.
 */
sourceBranch: string, 
/**
 * The branch the pull request merges into (`--branch`, which the cluster syncs from).
 */
targetBranch: string, title: string, 
/**
 * Lists the files and the cluster; Azure DevOps allows 4000 characters.
 */
description: string, 
/**
 * `--pull-request-auto-complete`: the creator sets auto-complete, so Azure DevOps merges as
 * soon as the branch policies pass.
 */
autoComplete: boolean, 
/**
 * The merge strategy on completion (Azure DevOps' `GitPullRequestMergeStrategy`):
 * `noFastForward`, a merge commit, like a reviewer's default "Merge (no fast forward)".
 */
mergeStrategy: string, 
/**
 * The merge commit's message on auto-complete.
 */
mergeCommitMessage: string, };

export type Plan = { repo: Repo, syncUrl: SyncUrl, syncAuth: SyncAuth, 
/**
 * Where Flux runs (`--namespace`, validated).
 */
namespace: string, 
/**
 * The branch to clone, commit to and sync from.
 */
branch: string, 
/**
 * The Git credential Secret's name.
 */
secretName: string, 
/**
 * The HTTPS user for the PAT (`--username`), for the push and the Secret.
 */
username: string, 
/**
 * `--components` then `--components-extra`: what the cluster must run.
 */
installedComponents: Array<string>, 
/**
 * How the CLI's own Git connection goes.
 */
push: PushTarget, 
/**
 * Azure DevOps SSH accepts only RSA deploy keys: a loaded or kept key must be RSA.
 */
requiresRsa: boolean, 
/**
 * The key to generate when the user gives none and the cluster holds none.
 */
deployKey: DeployKeySpec, 
/**
 * Where the user adds the deploy key (Azure DevOps Services' SSH keys page).
 */
deployKeyPage?: string, 
/**
 * The Kustomization's `spec.path`, `./<path>`.
 */
syncPath: string, commit: Commits, 
/**
 * `<path>/<namespace>/gotk-components.yaml`.
 */
components: Manifest, 
/**
 * `<path>/<namespace>/gotk-sync.yaml`.
 */
sync: Manifest, 
/**
 * `<path>/<namespace>/kustomization.yaml` (the existing file, with the host key patch
 * added where needed).
 */
kustomization: Manifest, 
/**
 * Whether `kustomization` differs from the existing file.
 */
kustomizationChanged: boolean, 
/**
 * The host key algorithms the controllers are patched with (empty: no patch); also what
 * the host offers when it scans the sync host's key.
 */
sshHostkeyAlgos: Array<string>, 
/**
 * `kustomization.yaml` goes into the first (components) commit: the controllers must
 * carry the host key flag from their first start to reach Azure DevOps over SSH.
 */
kustomizationInComponentsCommit: boolean, 
/**
 * `--pull-request`: the branch, title and texts of the pull request (null without it).
 */
pullRequest: PullRequestPlan | null, 
/**
 * Where the CLI's push credential comes from: the PAT, the SSH key or an Entra token.
 */
pushCredential: PushCredential, 
/**
 * The Entra token to push with (`--azure-credential`); none without it.
 */
entra?: EntraPush, 
/**
 * Whether the run needs a PAT (`--password`): for an HTTPS push without an Entra token,
 * and for a cluster that syncs with it (`--token-auth`, `--with-bearer-token`).
 */
needsPat: boolean, 
/**
 * `--provider=azure`: the identity the controllers sync as, and the facts the Azure side
 * needs (the federated credential's subjects and audience).
 */
workloadIdentity?: WorkloadIdentityPlan, 
/**
 * `--registry-creds` with `--image-pull-secret`: the image pull Secret the host creates or
 * updates in the cluster (the host holds the credential and asks `imagePullSecret` for it).
 */
imagePullSecret?: ImagePullSecretPlan, };

export type WorkloadIdentity = { 
/**
 * `--workload-identity-client-id`: the user-assigned managed identity's client id.
 */
clientId: string, 
/**
 * `--workload-identity-tenant-id`: its tenant (empty: the webhook's default tenant).
 */
tenantId: string, 
/**
 * The installed controllers that get the identity (a subset of `CONTROLLERS`).
 */
controllers: Array<string>, };

export type WorkloadIdentityPlan = { clientId: string, 
/**
 * Empty when not given.
 */
tenantId: string, 
/**
 * The controllers patched with the identity.
 */
controllers: Array<string>, 
/**
 * `system:serviceaccount:<namespace>:<controller>`, one per controller, same order.
 */
subjects: Array<string>, 
/**
 * The federated credential's audience, `api://AzureADTokenExchange`.
 */
audience: string, };

export type AzureCredentialKind = "default" | "cli" | "workload-identity" | "managed-identity" | "environment" | "pipelines" | "external";

export type EntraPush = { credential: AzureCredentialKind, 
/**
 * The token's scope: `499b84ac-1321-427f-aa17-267ca6975798/.default`.
 */
scope: string, 
/**
 * `https://dev.azure.com/{org}` (or `https://{server}/{collection}`): an anonymous `HEAD`
 * there names the organisation's tenant (`WWW-Authenticate`, `X-VSS-ResourceTenant`).
 */
organizationUrl: string, };

export type PushCredential = "pat" | "sshKey" | "entra" | "bearer";

export type PushCredentials = { 
/**
 * Where the CLI's push credential comes from.
 */
pushCredential: PushCredential, 
/**
 * Whether the run needs a PAT (`--password`): for an HTTPS push without an Entra token,
 * and for a cluster that syncs with it (`--token-auth`, `--with-bearer-token`).
 */
needsPat: boolean, 
/**
 * The Entra token to push with; none without `--azure-credential`.
 */
entra?: EntraPush, };

export type Defaults = { 
/**
 * The Flux version whose manifests and defaults this build was checked against.
 */
fluxVersion: string, 
/**
 * Every plan option at Flux's default (`url` empty). In TS every field is present but the
 * two that default to "none" (`sshKeyAlgorithm`, `existingKustomization`).
 */
options: PlanDefaults, 
/**
 * The optional components `--components-extra` may name.
 */
componentsExtra: Array<string>, 
/**
 * The values `--log-level` takes.
 */
logLevels: Array<string>, 
/**
 * `--ssh-rsa-bits` when none is given.
 */
rsaBits: number, 
/**
 * `--timeout` when none is given, a Go duration.
 */
timeout: string, 
/**
 * The oldest Kubernetes version Flux supports, `major.minor`.
 */
minKubernetesVersion: string, 
/**
 * `--push-retries` when none is given.
 */
pushRetries: number, 
/**
 * The first push retry's backoff ceiling (ms), doubled per retry (full jitter below it).
 */
pushBackoffMs: number, 
/**
 * The push retry backoff ceiling's upper bound (ms).
 */
pushBackoffMaxMs: number, 
/**
 * `check --warn-days`: days before a PAT's expiry that `check` warns.
 */
patWarnDays: number, 
/**
 * Git over HTTPS: the statuses retried (429, 5xx from Azure DevOps' front ends).
 */
gitRetryStatuses: Array<number>, 
/**
 * Retries of a Git request answered with one of `gitRetryStatuses`.
 */
gitHttpRetries: number, 
/**
 * The first wait (ms) of such a retry without `Retry-After`, doubled per retry (full jitter).
 */
gitHttpBackoffMs: number, 
/**
 * The upper bound (ms) of that wait.
 */
gitHttpBackoffMaxMs: number, 
/**
 * The longest `Retry-After` (ms) honoured; a longer one fails the step at once.
 */
gitRetryAfterMaxMs: number, 
/**
 * The SSH handshake's time limit (ms), within `--timeout`.
 */
sshReadyTimeoutMs: number, 
/**
 * The SSH keepalive interval (ms).
 */
sshKeepaliveIntervalMs: number, 
/**
 * Unanswered SSH keepalives in a row that end the connection.
 */
sshKeepaliveCountMax: number, };

export type KustomizeInput = { 
/**
 * The repository-relative path of `kustomization.yaml`, e.g.
 * `clusters/my-cluster/flux-system/kustomization.yaml`.
 */
kustomization: string, 
/**
 * File contents by repository-relative path: the kustomization and the files it names
 * (see [`named_files`]).
 */
files?: { [key in string]: string }, 
/**
 * Named paths that are directories in the repository (refused: nested kustomizations).
 */
directories?: Array<string>, };

export type KustomizeOutput = { 
/**
 * Every object, as one multi-document YAML text, in build order.
 */
yaml: string, 
/**
 * For each object, in the same order, the file it came from.
 */
sources: Array<string>, };

export type RepoFiles = { 
/**
 * File contents by repository-relative path.
 */
files?: { [key in string]: string }, 
/**
 * Named paths that are directories in the repository.
 */
directories?: Array<string>, };

export type ClusterObjects = { 
/**
 * At install: the build without the sync objects of `gotk-sync.yaml` (they follow once
 * the Git Secret is in place).
 */
install: string, 
/**
 * At the apply step of every run: the whole build, as kustomize-controller applies it.
 */
apply: string, };

export type CredentialKind = "token" | "bearer" | "ssh" | "workloadIdentity" | "none";

export type CredentialFacts = { 
/**
 * The GitRepository's `spec.url`.
 */
url?: string, 
/**
 * The GitRepository's `spec.provider` (empty: `generic`).
 */
provider?: string, 
/**
 * The keys of the Git Secret's `data` (empty when there is no Secret).
 */
secretKeys?: Array<string>, };

export type RotationOptions = { 
/**
 * What the cluster holds now.
 */
facts?: CredentialFacts, 
/**
 * The kind the user asked for (`--token-auth` → token, `--private-key-file` → ssh);
 * unset: the kind in use.
 */
to?: CredentialKind, 
/**
 * `--ssh-key-algorithm` for a generated key; unset as in bootstrap.
 */
sshKeyAlgorithm?: KeyAlgorithm, 
/**
 * `--ssh-rsa-bits`.
 */
sshRsaBits?: number, 
/**
 * `--ssh-ecdsa-curve`.
 */
sshEcdsaCurve?: EcdsaCurve, };

export type RotationPlan = { 
/**
 * The credential in the Secret now, which is also the one written (see `CredentialKindSwitch`).
 */
kind: CredentialKind, 
/**
 * A loaded or generated deploy key must be RSA (Azure DevOps).
 */
requiresRsa: boolean, 
/**
 * The key to generate when no `--private-key-file` is given.
 */
deployKey: DeployKeySpec, 
/**
 * Where the user adds the new public key (Azure DevOps Services' SSH keys page).
 */
deployKeyPage?: string, 
/**
 * How flux-azdo proves the new credential from where it runs: the GitRepository's URL.
 */
probe: PushTarget, };

export type PatExpiryOptions = { 
/**
 * `validTo` from the PAT lifecycle API.
 */
validToMs?: number, nowMs?: number, 
/**
 * `--warn-days`.
 */
warnDays?: number, };

export type PatExpiryStatus = "valid" | "expiring" | "expired";

export type PatExpiry = { status: PatExpiryStatus, 
/**
 * Whole days left (rounded down; negative once expired).
 */
daysLeft: number, };

export type ComponentFact = { name?: string, found?: boolean, 
/**
 * Available replicas ≥ 1.
 */
ready?: boolean, 
/**
 * The container image, `registry/name:tag`.
 */
image?: string, };

export type FluxObjectFact = { found?: boolean, 
/**
 * The Ready condition's status: `True`, `False`, `Unknown`, or empty when there is none.
 */
ready?: string, reason?: string, message?: string, suspended?: boolean, };

export type PatFact = { 
/**
 * `validTo` in Unix milliseconds, when the PAT was found.
 */
validToMs?: number, 
/**
 * Why the expiry is unknown (no Entra credential, no match, the API refused).
 */
unavailable?: string, };

export type CheckFacts = { namespace?: string, namespaceFound?: boolean, 
/**
 * The API server's `major.minor[.patch]`.
 */
kubernetesVersion?: string, 
/**
 * The Flux Deployments found in the namespace (`app.kubernetes.io/part-of=flux`).
 */
components?: Array<ComponentFact>, gitRepository?: FluxObjectFact, kustomization?: FluxObjectFact, 
/**
 * `spec.url`/`spec.provider` of the GitRepository and the Secret's keys.
 */
credential?: CredentialFacts, secretName?: string, secretFound?: boolean, pat?: PatFact, nowMs?: number, 
/**
 * `--warn-days`.
 */
warnDays?: number, };

export type Severity = "info" | "warning" | "error";

export type Finding = { 
/**
 * UPPER_SNAKE, stable (see the README's check table).
 */
code: string, severity: Severity, 
/**
 * What it is about, e.g. `GitRepository/flux-system/flux-system`.
 */
subject: string, message: string, 
/**
 * What to do; empty for information.
 */
remedy: string, };

export type CheckStatus = "healthy" | "warnings" | "unhealthy";

export type CheckReport = { status: CheckStatus, credential: CredentialKind, patExpiry?: PatExpiry, findings: Array<Finding>, };

export /**
 * Flux's manifests bundle: the `manifests.tar.gz` bytes, or file name → content.
 */
type BundleData = Uint8Array | Record<string, string>;

export /**
 * The 9 files of Flux's manifests bundle, by name.
 */
type BundleFiles = Record<string, string>;
