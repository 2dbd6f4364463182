/** The options and result of `rotate`, named as its flags in camelCase. */
import type { CredentialKind, EcdsaCurve, KeyAlgorithm } from '../core/node.js';
import type { SecretValue } from '../secret-value.js';

export interface RotateOptions {
  /** `-n`: Flux's namespace (default: Flux's, from the core's defaults). */
  namespace?: string;
  /** The GitRepository's name (default: the namespace, as bootstrap names it). */
  name?: string;
  /** `--password`: the new PAT; with a key, the key's passphrase. */
  password?: string | SecretValue;
  /** `--username` for the PAT (default: the Secret's, else Flux's `git`). */
  username?: string;
  /** `--private-key-file`: the new deploy key (else one is generated). */
  privateKeyFile?: string;
  /** The key itself, for API callers who hold it in memory. */
  privateKey?: string | SecretValue;
  /** The kind asked for (`--token-auth` → token, `--private-key-file` → ssh); a switch is refused. */
  to?: CredentialKind;
  sshKeyAlgorithm?: KeyAlgorithm;
  sshRsaBits?: number;
  sshEcdsaCurve?: EcdsaCurve;
  /** `--ca-file` for the probe (default: the Secret's `ca.crt`). */
  caFile?: string;
  /** Prove the credential and say what would change; write nothing. */
  dryRun?: boolean;
  /** Don't wait for the user to add a generated key. */
  silent?: boolean;
  /** How long to wait for source-controller (Go duration or ms; default `defaults().timeout`). */
  timeout?: string | number;
  kubeconfig?: string;
  context?: string;
}

export interface RotateResult {
  /** `Secret/<ns>/<name>`. */
  secret: string;
  /** `updated`, or `unchanged` when the Secret already held this credential. */
  action: 'updated' | 'unchanged';
  dryRun: boolean;
  kind: CredentialKind;
  /** The revision source-controller fetched with the new credential (not on a dry run). */
  revision: string | undefined;
  /** When source-controller reported that fetch. */
  fetchedAt?: string | undefined;
  /** The new deploy key's fingerprint and public half. */
  fingerprint?: string;
  publicKey?: string;
  /** The deploy key the Secret held before: remove it from Azure DevOps. */
  previousFingerprint?: string;
  /** Azure DevOps' SSH public keys page. */
  deployKeyPage?: string;
}
