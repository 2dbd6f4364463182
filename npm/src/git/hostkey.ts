/**
 * SSH host keys: scanning a server's key, known_hosts lines as Flux writes them, and the check
 * every connection makes. ssh2 accepts any host key unless given a verifier, so every connection
 * here goes through `hostKeyPolicy`; nothing is trusted silently.
 */
import { createHmac } from 'node:crypto';

import ssh2 from 'ssh2';

import { defaults, fingerprintOfBlob, knownHostsLine, sshHostPolicy } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';


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
  /** The handshake's limit (ms), at most the core's `sshReadyTimeoutMs`. */
  timeoutMs?: number;
}

/** Whether `host`'s operator publishes its host key (Azure DevOps' SSH hosts), per the core. */
export function isAzureDevOpsSshHost(host: string): boolean {
  return sshHostPolicy(host).publishedFingerprints.length > 0;
}

/** `SHA256:…` of a key blob, computed by the core. */
export function fingerprintSha256(blob: Buffer): string {
  return fingerprintOfBlob(blob.toString('base64'));
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

/**
 * The key blobs known_hosts `text` lists under `name`, the host as a known_hosts line names it
 * (`host` or `[host]:port`, as `describeHostKey(...).hostName` gives it); plain or hashed.
 */
export function knownHostKeys(text: string, name: string): Buffer[] {
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

/** The scanned key, with its known_hosts line and fingerprint as the core writes them. */
export function describeHostKey(blob: Buffer, host: string, port: number): ScannedHostKey & { hostName: string } {
  const keyType = blobKeyType(blob);
  const key = blob.toString('base64');
  const line = knownHostsLine({ host, port, keyType, keyBlob: key });
  return {
    keyType,
    key,
    fingerprint: fingerprintSha256(blob),
    knownHostsLine: line,
    hostName: line.slice(0, line.indexOf(' ')),
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
  readonly #knownHosts: string | undefined;

  constructor(host: string, port: number, knownHosts?: string) {
    this.#host = host;
    this.#port = port;
    this.#knownHosts = knownHosts;
  }

  verify(blob: Buffer): boolean {
    const { hostName: name, fingerprint } = describeHostKey(blob, this.#host, this.#port);
    const pinned = this.#knownHosts === undefined ? [] : knownHostKeys(this.#knownHosts, name);
    if (pinned.length > 0) {
      if (pinned.some((key) => key.equals(blob))) return true;
      this.rejection = new FluxAzdoError(
        'HOST_KEY_MISMATCH',
        `the SSH host key of ${name} (${fingerprint}) is not the one in known_hosts; the server's key changed or someone is in between — check it before scanning it again`,
        { option: 'known-hosts' },
      );
      return false;
    }
    const published = sshHostPolicy(this.#host).publishedFingerprints;
    if (published.length > 0) {
      if (published.includes(fingerprint)) return true;
      this.rejection = publishedMismatch(this.#host, fingerprint, published);
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

function publishedMismatch(host: string, fingerprint: string, published: string[]): FluxAzdoError {
  return new FluxAzdoError(
    'HOST_KEY_MISMATCH',
    `the SSH host key of ${host} is ${fingerprint}, not its operator's published ${published.join(' or ')}; refusing to connect`,
  );
}

/** The host key algorithms to offer `host` when the caller names none (the core's policy). */
export function defaultHostKeyAlgos(host: string): string[] | undefined {
  const algos = sshHostPolicy(host).hostKeyAlgorithms;
  return algos.length > 0 ? algos : undefined;
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
      else if ((err as { level?: unknown } | undefined)?.level === 'client-timeout')
        // Accepted and then silent (no banner, no key exchange): typed, within the limit.
        reject(
          new FluxAzdoError('TIMEOUT', `the SSH server ${host}:${port} accepted the connection but never finished the handshake`, {
            option: 'timeout',
          }),
        );
      else
        reject(
          new FluxAzdoError(
            'GIT_UNREACHABLE',
            `could not read the SSH host key of ${host}:${port}: ${err instanceof Error ? err.message : 'the server hung up'}`,
          ),
        );
    };
    client.on('handshake', () => settle());
    client.on('error', (err) => settle(err));
    client.on('close', () => settle(new Error('the server hung up')));
    client.connect({
      host: options.connectAddress ?? host,
      port,
      username: 'git',
      readyTimeout: Math.max(1, Math.min(options.timeoutMs ?? Number.POSITIVE_INFINITY, defaults().sshReadyTimeoutMs)),
      ...(hostKeyAlgos === undefined ? {} : { algorithms: { serverHostKey: hostKeyAlgos as never } }),
      hostVerifier: (key: Buffer) => {
        seen = Buffer.from(key);
        return true;
      },
      // No credentials: after the handshake there is nothing to try and the client hangs up.
      authHandler: () => false,
    });
  });
  const { hostName: _name, ...scanned } = describeHostKey(blob, host, port);
  const published = sshHostPolicy(host).publishedFingerprints;
  if (published.length > 0 && !published.includes(scanned.fingerprint)) {
    throw publishedMismatch(host, scanned.fingerprint, published);
  }
  return scanned;
}
