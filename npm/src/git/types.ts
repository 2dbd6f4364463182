import type { AzureDevOpsTokenProvider } from '../azure/token-provider.js';
import type { SecretValue } from '../secret-value.js';
import type { ServerRetry } from './server-retry.js';

/**
 * HTTPS with a personal access token (or any password): HTTP Basic auth. Azure DevOps accepts any
 * non-empty username with a PAT; the default is `git`, like Flux's.
 */
export interface TokenAuth {
  kind: 'token';
  username?: string;
  password: SecretValue;
}

/** SSH with a private key. Azure DevOps accepts RSA keys only, signed with SHA-2. */
export interface SshAuth {
  kind: 'ssh';
  /** The private key as PEM or OpenSSH text. */
  privateKey: SecretValue;
  passphrase?: SecretValue;
  /**
   * known_hosts text pinning the server's host key (e.g. the line `scanHostKey` returned). Without
   * it only Azure DevOps' own hosts are accepted, checked against their published fingerprint.
   */
  knownHosts?: string;
  /** Host key algorithms to offer, e.g. `['rsa-sha2-512', 'rsa-sha2-256']` (Flux's `--ssh-hostkey-algos`). */
  hostKeyAlgos?: string[];
}

/**
 * HTTPS with a Microsoft Entra token (`--azure-credential`): `Authorization: Bearer`, asked from
 * the provider for every request so a refreshed token replaces an expiring one.
 */
export interface EntraAuth {
  kind: 'entra';
  tokens: AzureDevOpsTokenProvider;
}

/**
 * HTTPS with the password as `Authorization: Bearer` (`--with-bearer-token`), as Flux's own
 * bootstrap sends it; the cluster gets the same token as the Secret's `bearerToken`.
 */
export interface BearerAuth {
  kind: 'bearer';
  token: SecretValue;
}

export type GitAuth = TokenAuth | SshAuth | EntraAuth | BearerAuth;

/** Where to talk to: an already resolved URL (`https://…` or `ssh://user@host[:port]/path`) and its credential. */
export interface GitRemote {
  url: string;
  /**
   * The URL as messages show it: the user's `--url` as given (core `shownUrl`), when `url` is
   * derived from it. Without it messages show `url` without credentials.
   */
  shownUrl?: string;
  auth: GitAuth;
  /** PEM file of CA certificates to trust for HTTPS (Flux's `--ca-file`), in place of the system's. */
  caFile?: string;
  /** The same as PEM text (e.g. the `ca.crt` of the cluster's Git Secret); `caFile` wins. */
  caPem?: string;
  /**
   * Each Git operation (a clone, a push with its retries, a fetch) must end within this many ms,
   * else TIMEOUT: a server that accepts and never answers cannot hang the caller. Bootstrap
   * passes `--timeout`. Without it only the idle limits of the transports apply.
   */
  timeoutMs?: number;
  /** Aborts the operation's requests (bootstrap's run signal). */
  signal?: AbortSignal;
  /** Told before each retry of a request the server answered 429/5xx (the wait follows). */
  onServerRetry?: (retry: ServerRetry) => void;
  /**
   * SSH keepalive, in place of the core's `sshKeepaliveIntervalMs` / `sshKeepaliveCountMax`
   * (tests of a silent connection use short ones).
   */
  sshKeepalive?: { intervalMs: number; countMax: number };
}

export interface GitAuthor {
  name: string;
  /** May be empty: Flux commits as `Flux <>`. */
  email: string;
}

/** A file to write into the repo; `path` is relative to the repo root, with `/` separators. */
export interface RepoFile {
  path: string;
  content: string | Uint8Array;
}
