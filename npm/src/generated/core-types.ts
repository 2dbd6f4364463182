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

export type ErrorCode = "INVALID_OPTION" | "INVALID_URL" | "INVALID_BUNDLE" | "INVALID_YAML" | "INVALID_KEY" | "KEY_PASSPHRASE_REQUIRED" | "WRONG_PASSPHRASE" | "KEY_NOT_RSA" | "KUSTOMIZATION_NOT_PATCHABLE" | "INVALID_HOST_KEY" | "INTERNAL";

export type InstallOptions = { 
/**
 * Flux version written in the header, e.g. `v2.9.4`.
 */
version: string, namespace: string, components: Array<string>, componentsExtra: Array<string>, registry: string, imagePullSecret: string, watchAllNamespaces: boolean, networkPolicy: boolean, logLevel: string, clusterDomain: string, tolerationKeys: Array<string>, 
/**
 * `--path`: the file goes to `<path>/<namespace>/gotk-components.yaml`.
 */
targetPath: string, };

export type SyncOptions = { 
/**
 * The URL the cluster syncs from (already in Flux's sync form, see `azure_url::SyncUrl`).
 */
url: string, 
/**
 * `-n`: also the name of both objects, as in Flux.
 */
namespace: string, branch: string, tag: string, semver: string, commit: string, 
/**
 * GitRepository interval as the user wrote it (`1m`, `90s`); written in Go's form (`1m0s`).
 */
interval: string, secretName: string, targetPath: string, recurseSubmodules: boolean, sparseCheckout: Array<string>, 
/**
 * `azure` syncs through Azure workload identity: no Secret, `provider: azure`.
 */
provider: string, };

export type KustomizationOptions = { 
/**
 * `-n` (Flux's default `flux-system`).
 */
namespace: string, targetPath: string, 
/**
 * The `<path>/<namespace>/kustomization.yaml` already in the repository, if any.
 */
existing?: string, 
/**
 * `--ssh-hostkey-algos`: when set, the controllers get the flag through a patch.
 */
sshHostkeyAlgos: Array<string>, };

export type KustomizationOutput = { manifest: Manifest, changed: boolean, };

export type SecretString = string;

export type SecretOptions = { 
/**
 * `--secret-name` (Flux's default `flux-system`).
 */
name: string, 
/**
 * `-n` (Flux's default `flux-system`).
 */
namespace: string, auth: SecretAuth, };

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
 * Key → value; the values include credentials.
 */
stringData: { [key in string]: string }, };

export type SecretOutput = { secret: Secret, 
/**
 * Holds the credentials too, hence `SecretString`.
 */
yaml: SecretString, };

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
sshUrl: string, };

export type SyncUrlOptions = { 
/**
 * `--token-auth` (or `--with-bearer-token`): HTTPS; otherwise SSH.
 */
tokenAuth: boolean, 
/**
 * `--username` (default `git`): the SSH user when the URL has none or it is not `git`.
 */
username: string, 
/**
 * `--ssh-hostname`: replaces `host[:port]` of the SSH sync URL and of the host key scan.
 */
sshHostname: string, 
/**
 * `--allow-insecure-http`.
 */
allowInsecureHttp: boolean, };

export type SshHost = { host: string, 
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

export type PlanOptions = { url: string, branch: string, path: string, interval: string, tokenAuth: boolean, withBearerToken: boolean, username: string, sshHostname: string, sshHostkeyAlgos: Array<string>, allowInsecureHttp: boolean, secretName: string, recurseSubmodules: boolean, sparseCheckout: Array<string>, 
/**
 * `azure`: the cluster syncs with Azure workload identity (no Secret).
 */
provider: string, version: string, namespace: string, components: Array<string>, componentsExtra: Array<string>, registry: string, imagePullSecret: string, watchAllNamespaces: boolean, networkPolicy: boolean, logLevel: string, clusterDomain: string, tolerationKeys: Array<string>, 
/**
 * The `<path>/<namespace>/kustomization.yaml` already in the repository, kept as it is.
 */
existingKustomization?: string, };

export type SyncAuth = "token" | "bearer" | "ssh" | "workloadIdentity";

export type Plan = { repo: Repo, syncUrl: SyncUrl, syncAuth: SyncAuth, 
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
 * The host key algorithms the controllers are patched with (empty: no patch).
 */
sshHostkeyAlgos: Array<string>, 
/**
 * The SSH key algorithm to generate when no key is given: `rsa` for Azure DevOps
 * (the only one it accepts), `ecdsa` elsewhere (Flux's default).
 */
defaultKeyAlgorithm: string, 
/**
 * `kustomization.yaml` goes into the first (components) commit: the controllers must
 * carry the host key flag from their first start to reach Azure DevOps over SSH.
 */
kustomizationInComponentsCommit: boolean, 
/**
 * What the host applies to the cluster for the components: `gotk-components.yaml` with
 * the host key patch of `kustomization.yaml` already applied (the host has no kustomize).
 */
clusterComponents: string, };
