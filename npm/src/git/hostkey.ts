/**
 * SSH host keys: scanning a server's key, known_hosts lines as Flux writes them, and the check
 * every connection makes. ssh2 accepts any host key unless given a verifier, so every connection
 * here goes through `hostKeyPolicy`; nothing is trusted silently.
 */
import { createHash, createHmac } from 'node:crypto';

import ssh2 from 'ssh2';

import { FluxAzdoError } from '../errors.js';

/** Azure DevOps' SSH hosts and the fingerprint Microsoft publishes for their RSA host key. */
export const AZURE_DEVOPS_SSH_HOSTS = ['ssh.dev.azure.com', 'vs-ssh.visualstudio.com'] as const;
export const AZURE_DEVOPS_HOST_KEY_FINGERPRINT = 'SHA256:ohD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og';
/** What Flux's `--ssh-hostkey-algos` must say for Azure DevOps, which refuses SHA-1. */
export const AZURE_DEVOPS_HOST_KEY_ALGOS = ['rsa-sha2-512', 'rsa-sha2-256'];

const SCAN_TIMEOUT_MS = 20_000;

export interface ScannedHostKey {
  /** The key type inside the blob, e.g. `ssh-rsa`. */
  keyType: string;
  /** The key blob, base64. */
  key: string;
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** `host keytype base64`, with `[host]:port` when the port is not 22 (as Flux writes known_hosts). */
  knownHostsLine: string;
}

export interface ScanHostKeyOptions {
  /** Host key algorithms to offer; defaults to RSA SHA-2 for Azure DevOps hosts, ssh2's list otherwise. */
  hostKeyAlgos?: string[];
  /** Connect to this address while naming the server `host` (e.g. a test server or a fixed IP). */
  connectAddress?: string;
  timeoutMs?: number;
}

export function isAzureDevOpsSshHost(host: string): boolean {
  return (AZURE_DEVOPS_SSH_HOSTS as readonly string[]).includes(host.toLowerCase());
}

export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export function knownHostsHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type named at the start of an SSH public key blob. */
export function blobKeyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

function hostPatternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (salt === undefined || hash === undefined) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  return pattern.split(',').some((candidate) => candidate.toLowerCase() === name.toLowerCase());
}

/** The key blobs known_hosts `text` lists for `host`:`port` (plain or hashed host names). */
export function knownHostKeys(text: string, host: string, port: number): Buffer[] {
  const name = knownHostsHostName(host, port);
  const keys: Buffer[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('@')) continue;
    const [hosts, , key] = line.split(/\s+/);
    if (hosts === undefined || key === undefined) continue;
    if (hostPatternMatches(hosts, name)) keys.push(Buffer.from(key, 'base64'));
  }
  return keys;
}

export function describeHostKey(blob: Buffer, host: string, port: number): ScannedHostKey {
  const keyType = blobKeyType(blob);
  const key = blob.toString('base64');
  return {
    keyType,
    key,
    fingerprint: fingerprintSha256(blob),
    knownHostsLine: `${knownHostsHostName(host, port)} ${keyType} ${key}`,
  };
}

/**
 * Decides whether a presented host key is acceptable. Records why not, so the connection's
 * failure can be reported as HOST_KEY_MISMATCH or HOST_KEY_UNKNOWN instead of a handshake error.
 */
export class HostKeyPolicy {
  rejection: FluxAzdoError | undefined;
  readonly #host: string;
  readonly #port: number;
  readonly #pinned: Buffer[] | undefined;

  constructor(host: string, port: number, knownHosts?: string) {
    this.#host = host;
    this.#port = port;
    this.#pinned = knownHosts === undefined ? undefined : knownHostKeys(knownHosts, host, port);
  }

  verify(blob: Buffer): boolean {
    const name = knownHostsHostName(this.#host, this.#port);
    const fingerprint = fingerprintSha256(blob);
    if (this.#pinned !== undefined && this.#pinned.length > 0) {
      if (this.#pinned.some((pinned) => pinned.equals(blob))) return true;
      this.rejection = new FluxAzdoError(
        'HOST_KEY_MISMATCH',
        `the SSH host key of ${name} (${fingerprint}) is not the one in known_hosts; the server's key changed or someone is in between — check it before scanning it again`,
        { option: 'known-hosts' },
      );
      return false;
    }
    if (isAzureDevOpsSshHost(this.#host)) {
      if (fingerprint === AZURE_DEVOPS_HOST_KEY_FINGERPRINT) return true;
      this.rejection = azureDevOpsMismatch(this.#host, fingerprint);
      return false;
    }
    this.rejection = new FluxAzdoError(
      'HOST_KEY_UNKNOWN',
      `the SSH host key of ${name} (${fingerprint}) is not known; scan it first (scanHostKey) and pass it as known_hosts`,
      { option: 'known-hosts' },
    );
    return false;
  }
}

function azureDevOpsMismatch(host: string, fingerprint: string): FluxAzdoError {
  return new FluxAzdoError(
    'HOST_KEY_MISMATCH',
    `the SSH host key of ${host} is ${fingerprint}, not Azure DevOps' published ${AZURE_DEVOPS_HOST_KEY_FINGERPRINT}; refusing to connect`,
  );
}

export function defaultHostKeyAlgos(host: string): string[] | undefined {
  return isAzureDevOpsSshHost(host) ? [...AZURE_DEVOPS_HOST_KEY_ALGOS] : undefined;
}

/**
 * Connects to `host`:`port` just far enough to see its host key (the key exchange proves the
 * server holds it), then hangs up. For Azure DevOps hosts the key must match the published
 * fingerprint, or this throws HOST_KEY_MISMATCH.
 */
export async function scanHostKey(host: string, port = 22, options: ScanHostKeyOptions = {}): Promise<ScannedHostKey> {
  const hostKeyAlgos = options.hostKeyAlgos ?? defaultHostKeyAlgos(host);
  const blob = await new Promise<Buffer>((resolve, reject) => {
    const client = new ssh2.Client();
    let seen: Buffer | undefined;
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      client.end();
      // Only a finished key exchange proves the server holds the key it showed.
      if (err === undefined && seen !== undefined) resolve(seen);
      else reject(new FluxAzdoError('GIT_UNREACHABLE', `could not read the SSH host key of ${host}:${port}: ${err instanceof Error ? err.message : 'the server hung up'}`));
    };
    client.on('handshake', () => settle());
    client.on('error', (err) => settle(err));
    client.on('close', () => settle(new Error('the server hung up')));
    client.connect({
      host: options.connectAddress ?? host,
      port,
      username: 'git',
      readyTimeout: options.timeoutMs ?? SCAN_TIMEOUT_MS,
      ...(hostKeyAlgos === undefined ? {} : { algorithms: { serverHostKey: hostKeyAlgos as never } }),
      hostVerifier: (key: Buffer) => {
        seen = Buffer.from(key);
        return true;
      },
      // No credentials: after the handshake there is nothing to try and the client hangs up.
      authHandler: () => false,
    });
  });
  const scanned = describeHostKey(blob, host, port);
  if (isAzureDevOpsSshHost(host) && scanned.fingerprint !== AZURE_DEVOPS_HOST_KEY_FINGERPRINT) {
    throw azureDevOpsMismatch(host, scanned.fingerprint);
  }
  return scanned;
}
