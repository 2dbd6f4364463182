/**
 * SSH host keys: scanning a server's key, known_hosts lines as Flux writes them, and the check
 * every connection makes. ssh2 accepts any host key unless given a verifier, so every connection
 * here goes through `hostKeyPolicy`; nothing is trusted silently.
 */
import ssh2 from 'ssh2';

import { checkHostKey, defaults, fingerprintOfBlob, knownHostsLine, sshHostPolicy } from '../core/node.js';
import type { HostKeyCheck } from '../core/node.js';
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

/**
 * What known_hosts `text` says about `blob` presented by `host`:`port`, by the core's reading of
 * OpenSSH's format (patterns, hashed names, several keys, `@revoked`).
 */
export function knownHostsVerdict(text: string, host: string, port: number, blob: Buffer): HostKeyCheck {
  return checkHostKey({ knownHosts: text, host, port, keyBlob: blob.toString('base64') });
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
    const verdict = this.#knownHosts === undefined ? 'unlisted' : knownHostsVerdict(this.#knownHosts, this.#host, this.#port, blob).verdict;
    if (verdict === 'revoked') {
      this.rejection = new FluxAzdoError(
        'HOST_KEY_REVOKED',
        `the SSH host key of ${name} (${fingerprint}) is marked @revoked in known_hosts; refusing to connect — ask the server's operator for its current key`,
        { option: 'known-hosts' },
      );
      return false;
    }
    if (verdict !== 'unlisted') {
      if (verdict === 'pinned') return true;
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

/**
 * Records the host key signatures the server offers, from ssh2's handshake debug lines (the only
 * place ssh2 names them), so a failed negotiation can say what the server offered.
 */
export class OfferedHostKeys {
  remote: string[] | undefined;
  readonly debug = (line: string): void => {
    const m = /^Handshake: \(remote\) Host key format: (.*)$/.exec(line);
    if (m?.[1] !== undefined) this.remote = m[1].split(',');
  };

  /**
   * The error for a negotiation that found no common host key signature, naming both lists and
   * the fix; undefined for any other failure. A server offering only `ssh-rsa` (SHA-1) gets
   * HOST_KEY_SHA1_ONLY; any other mismatch stays GIT_PROTOCOL.
   */
  error(err: Error, host: string, port: number, offered: string[] | undefined): FluxAzdoError | undefined {
    if (!/no matching host key format/.test(err.message)) return undefined;
    const remote = this.remote?.join(', ') ?? 'none we know';
    const ours = offered?.join(', ') ?? "ssh2's defaults";
    const fix = 'make the server offer rsa-sha2-512 or rsa-sha2-256, or pass --ssh-hostkey-algos with an algorithm it offers';
    if (this.remote !== undefined && this.remote.length > 0 && this.remote.every((a) => a === 'ssh-rsa')) {
      return new FluxAzdoError(
        'HOST_KEY_SHA1_ONLY',
        `the SSH server ${host}:${port} offers only ssh-rsa host key signatures (SHA-1), and flux-azdo offered ${ours}: Azure DevOps signs with RSA SHA-2, and Flux's --ssh-hostkey-algos=rsa-sha2-512,rsa-sha2-256 patch refuses SHA-1 too; ${fix} (--ssh-hostkey-algos=ssh-rsa accepts SHA-1)`,
        { option: 'ssh-hostkey-algos' },
      );
    }
    return new FluxAzdoError(
      'GIT_PROTOCOL',
      `the SSH handshake with ${host}:${port} failed: the server offers host key signatures ${remote}, flux-azdo offered ${ours}; ${fix}`,
      { option: 'ssh-hostkey-algos' },
    );
  }
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
  const offered = new OfferedHostKeys();
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
          (err instanceof Error ? offered.error(err, host, port, hostKeyAlgos) : undefined) ??
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
      debug: offered.debug,
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
