/**
 * Git over SSH for isomorphic-git, which only speaks smart HTTP: an `http` plugin that runs
 * `git-upload-pack` / `git-receive-pack` in an ssh2 exec channel and maps the two HTTP requests
 * of the smart protocol onto it.
 *
 * - GET  …/info/refs?service=S → exec `S '<path>'`, read the ref advertisement up to its flush
 *   packet, answer it in smart-HTTP form (`# service=S` header packet + flush + advertisement).
 *   The channel stays open.
 * - POST …/S → write the request body into that channel, close our side, answer with everything
 *   the server writes until it exits.
 * This works because isomorphic-git sends each request whole, in one POST after the advertisement.
 * One SSH connection serves every request of one operation; `close()` ends it.
 */
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import ssh2, { type Client, type ClientChannel, type ConnectConfig, type ParsedKey, type PublicKeyAuthMethod } from 'ssh2';

import { defaults } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { gitTimeout, type RetryContext } from './server-retry.js';
import { defaultHostKeyAlgos, fingerprintSha256, HostKeyPolicy, isAzureDevOpsSshHost, OfferedHostKeys } from './hostkey.js';
import { parsePrivateKey, signingKey } from './ssh-key.js';
import type { SshAuth } from './types.js';

const SERVICES = ['git-upload-pack', 'git-receive-pack'] as const;
type Service = (typeof SERVICES)[number];

/** Where to connect: the SSH half of the core's `PushTarget`. */
export interface SshTarget {
  /** Host name or address; IPv6 without brackets. */
  host: string;
  port: number;
  username: string;
  /** The repo path as the server sees it, e.g. `/v3/org/project/repo`. */
  path: string;
}

export interface SshTransport {
  http: HttpClient;
  /** The https:// stand-in URL to give isomorphic-git (it refuses ssh:// URLs). */
  url: string;
  close(): Promise<void>;
}

export interface SshTransportOptions {
  target: SshTarget;
  auth: SshAuth;
  /** The URL as messages show it (as the user gave it); the target's host and path otherwise. */
  shownUrl?: string;
  /** The operation's time limit and signal. */
  retry?: RetryContext;
  /** Keepalive in place of the core's (`sshKeepaliveIntervalMs`, `sshKeepaliveCountMax`). */
  keepalive?: { intervalMs: number; countMax: number };
}

/** Quotes like Git's sq_quote_buf, which is what a Git server's shell expects. */
export function gitShellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`).replace(/!/g, `'\\!'`)}'`;
}

function pktLine(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, '0'), 'ascii'), payload]);
}

/** Where the pkt-line stream in `buf` reaches its first flush packet (the offset after it), if yet. */
export function endOfFirstFlush(buf: Buffer): number | undefined {
  let pos = 0;
  while (buf.length >= pos + 4) {
    const len = parseInt(buf.subarray(pos, pos + 4).toString('ascii'), 16);
    if (Number.isNaN(len)) throw new Error('the server did not answer in the Git protocol');
    if (len === 0) return pos + 4;
    if (len < 4) throw new Error('the server sent an unexpected Git protocol packet');
    if (buf.length < pos + len) return undefined;
    pos += len;
  }
  return undefined;
}

async function* once(chunk: Uint8Array): AsyncIterableIterator<Uint8Array> {
  yield chunk;
}

function serviceOf(req: GitHttpRequest): Service {
  const url = new URL(req.url);
  const name = url.pathname.endsWith('/info/refs') ? url.searchParams.get('service') : url.pathname.split('/').pop();
  const service = SERVICES.find((s) => s === name);
  if (service === undefined)
    throw new FluxAzdoError('GIT_PROTOCOL', `unsupported Git request over SSH: ${req.method ?? 'GET'} ${url.pathname}`);
  return service;
}

/** The server's words on stderr, for an error message (they carry no secret of ours). */
function remoteMessage(stderr: Buffer[]): string {
  const text = Buffer.concat(stderr).toString('utf8').trim();
  return text.length > 0 ? text : 'no message';
}

function remoteFailure(stderr: Buffer[], target: SshTarget, shownUrl: string | undefined): FluxAzdoError {
  const message = remoteMessage(stderr);
  if (/does not appear to be a git repository|not found|does not exist|TF401019/i.test(message)) {
    const what = shownUrl ?? `${target.path} on ${target.host}`;
    return new FluxAzdoError('REPO_NOT_FOUND', `the repository ${what} was not found: ${message}`, { option: 'url' });
  }
  return new FluxAzdoError('GIT_PROTOCOL', `the Git server ${target.host} failed: ${message}`);
}

interface OpenChannel {
  channel: ClientChannel;
  stderr: Buffer[];
  /** Bytes the server wrote after the advertisement (none in practice; kept to be exact). */
  rest: Buffer;
}

function okResponse(url: string, method: 'GET' | 'POST', contentType: string, body: Buffer): GitHttpResponse {
  return { url, method, statusCode: 200, statusMessage: 'OK', headers: { 'content-type': contentType }, body: once(body) };
}

/**
 * One SSH connection, opened on the first request, and the channel each service's ref
 * advertisement left open for its request.
 */
class SshSession {
  readonly #target: SshTarget;
  readonly #shownUrl: string | undefined;
  readonly #key: ParsedKey;
  readonly #policy: HostKeyPolicy;
  readonly #hostKeyAlgos: string[] | undefined;
  readonly #offered = new OfferedHostKeys();
  readonly #pending = new Map<Service, OpenChannel>();
  #connection: Promise<Client> | undefined;
  #client: Client | undefined;
  /** Set when an established connection dies: later failures are reported as that. */
  #lost: FluxAzdoError | undefined;
  #closed = false;
  readonly #retry: RetryContext | undefined;
  readonly #keepalive: { intervalMs: number; countMax: number };
  #deadline: ReturnType<typeof setTimeout> | undefined;

  constructor(target: SshTarget, key: ParsedKey, auth: SshAuth, options: SshTransportOptions) {
    this.#target = target;
    this.#shownUrl = options.shownUrl;
    this.#key = key;
    this.#policy = new HostKeyPolicy(target.host, target.port, auth.knownHosts);
    this.#hostKeyAlgos = auth.hostKeyAlgos ?? defaultHostKeyAlgos(target.host);
    this.#retry = options.retry;
    const d = defaults();
    this.#keepalive = options.keepalive ?? { intervalMs: d.sshKeepaliveIntervalMs, countMax: d.sshKeepaliveCountMax };
  }

  /** Ends the connection with `error`: whatever waits on it (handshake, advertisement, exchange) fails with that. */
  #abandon(error: FluxAzdoError): void {
    this.#lost ??= error;
    this.#client?.destroy();
  }

  /** The operation's time limit and signal end the connection, so nothing waits past them. */
  #watch(): void {
    const retry = this.#retry;
    if (retry === undefined) return;
    const left = retry.deadline - Date.now();
    const { host, port } = this.#target;
    if (Number.isFinite(left)) {
      this.#deadline = setTimeout(
        () => this.#abandon(gitTimeout(`${host}:${port}`, retry.timeoutMs)),
        Math.max(0, Math.min(left, 2 ** 31 - 1)),
      );
      this.#deadline.unref();
    }
    const signal = retry.signal;
    if (signal) {
      const onAbort = () => this.#abandon(new FluxAzdoError('CANCELLED', `the SSH connection to ${host}:${port} was cancelled`));
      signal.addEventListener('abort', onAbort, { once: true });
      this.#client?.once('close', () => signal.removeEventListener('abort', onAbort));
    }
  }

  async request(req: GitHttpRequest): Promise<GitHttpResponse> {
    const service = serviceOf(req);
    return (req.method ?? 'GET') === 'GET' ? this.#advertise(service, req.url) : this.#exchange(service, req);
  }

  async close(): Promise<void> {
    clearTimeout(this.#deadline);
    for (const service of SERVICES) this.#discard(service);
    const c = this.#client;
    if (c === undefined) return;
    await this.#connection?.catch(() => undefined);
    if (this.#closed) return;
    await new Promise<void>((resolve) => {
      c.once('close', () => resolve());
      c.end();
      // ssh2 emits no 'close' for a connection that never opened a socket.
      setTimeout(resolve, 2_000).unref();
    });
  }

  #connect(): Promise<Client> {
    this.#connection ??= new Promise<Client>((resolve, reject) => {
      const { host, port } = this.#target;
      const c = new ssh2.Client();
      this.#client = c;
      let ready = false;
      c.once('ready', () => {
        ready = true;
        resolve(c);
      });
      c.on('error', (err: Error & { level?: string }) => {
        if (!ready) reject(this.#lost ?? this.#connectError(err));
        else if (err.level === 'client-timeout') {
          // ssh2's keepalive: the server stopped answering on an open connection.
          const { intervalMs, countMax } = this.#keepalive;
          this.#lost ??= new FluxAzdoError(
            'GIT_UNREACHABLE',
            `the SSH connection to ${host}:${port} went silent: ${countMax} keepalives in ${Math.round((intervalMs * countMax) / 1000)}s got no answer`,
          );
        } else this.#lost ??= new FluxAzdoError('GIT_UNREACHABLE', `the SSH connection to ${host}:${port} failed: ${err.message}`);
      });
      c.on('close', () => {
        this.#closed = true;
        if (!ready)
          reject(this.#lost ?? new FluxAzdoError('GIT_UNREACHABLE', `the SSH connection to ${host}:${port} closed during the handshake`));
        else this.#lost ??= new FluxAzdoError('GIT_UNREACHABLE', `the SSH connection to ${host}:${port} closed`);
      });
      this.#watch();
      c.connect(this.#connectConfig());
    });
    return this.#connection;
  }

  #connectConfig(): ConnectConfig {
    const { host, port, username } = this.#target;
    const key = this.#key;
    let triedKey = false;
    // The handshake's own limit, within what is left of the operation's.
    const left = (this.#retry?.deadline ?? Number.POSITIVE_INFINITY) - Date.now();
    return {
      host,
      port,
      username,
      readyTimeout: Math.max(1, Math.min(defaults().sshReadyTimeoutMs, left)),
      keepaliveInterval: this.#keepalive.intervalMs,
      keepaliveCountMax: this.#keepalive.countMax,
      hostVerifier: (blob: Buffer) => this.#policy.verify(blob),
      debug: this.#offered.debug,
      // One attempt with our key (ssh2's default order would also try 'none' and an agent).
      authHandler: (_left, _partial, next) => {
        if (triedKey) return next(false as never);
        triedKey = true;
        const method: PublicKeyAuthMethod = { type: 'publickey', username, key };
        next(method);
      },
      ...(this.#hostKeyAlgos === undefined ? {} : { algorithms: { serverHostKey: this.#hostKeyAlgos as never } }),
    };
  }

  #connectError(err: Error & { level?: string }): FluxAzdoError {
    const { host, port, username } = this.#target;
    if (this.#policy.rejection !== undefined) return this.#policy.rejection;
    if (err.level === 'client-authentication') {
      return new FluxAzdoError(
        'AUTH_FAILED',
        `the SSH server ${host} refused the key ${fingerprintSha256(this.#key.getPublicSSH())} for user ${username}: add its public key to the repository's SSH keys (Azure DevOps: User settings → SSH public keys) and use an RSA key`,
        { option: 'private-key-file' },
      );
    }
    if (err.level === 'client-timeout') {
      // Accepted, then no banner or no key exchange: a hang ends here, typed.
      return new FluxAzdoError(
        'TIMEOUT',
        `the SSH server ${host}:${port} accepted the connection but did not finish the handshake within ${Math.round(defaults().sshReadyTimeoutMs / 1000)}s or --timeout; check the host and port`,
        { option: 'timeout' },
      );
    }
    const algorithms = this.#offered.error(err, host, port, this.#hostKeyAlgos);
    if (algorithms !== undefined) return algorithms;
    if (err.level === 'handshake' || err.level === 'protocol') {
      return new FluxAzdoError('GIT_PROTOCOL', `the SSH handshake with ${host}:${port} failed: ${err.message}`);
    }
    return new FluxAzdoError('GIT_UNREACHABLE', `the SSH connection to ${host}:${port} failed: ${err.message}`);
  }

  #exec(c: Client, command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      c.exec(command, (err, channel) => {
        if (err) {
          reject(
            this.#lost ??
              new FluxAzdoError(
                'GIT_PROTOCOL',
                `the SSH server ${this.#target.host} refused to run ${command.split(' ')[0]}: ${err.message}`,
              ),
          );
        } else resolve(channel);
      });
    });
  }

  #discard(service: Service): void {
    const open = this.#pending.get(service);
    if (open === undefined) return;
    this.#pending.delete(service);
    // A flush packet tells upload-pack/receive-pack that no request follows.
    open.channel.end(Buffer.from('0000'));
  }

  /** GET …/info/refs: runs the service and answers with its ref advertisement; the channel stays open. */
  async #advertise(service: Service, url: string): Promise<GitHttpResponse> {
    this.#discard(service);
    const c = await this.#connect();
    const channel = await this.#exec(c, `${service} ${gitShellQuote(this.#target.path)}`);
    const stderr: Buffer[] = [];
    channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const advertisement = await this.#readAdvertisement(channel, stderr);
    this.#pending.set(service, { channel, stderr, rest: advertisement.rest });
    const body = Buffer.concat([pktLine(`# service=${service}\n`), Buffer.from('0000'), advertisement.refs]);
    return okResponse(url, 'GET', `application/x-${service}-advertisement`, body);
  }

  /** The channel's output up to the first flush packet (`refs`), and what came after it. */
  #readAdvertisement(channel: ClientChannel, stderr: Buffer[]): Promise<{ refs: Buffer; rest: Buffer }> {
    return new Promise((resolve, reject) => {
      let buf = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        let end: number | undefined;
        try {
          end = endOfFirstFlush(buf);
        } catch (err) {
          cleanup();
          reject(new FluxAzdoError('GIT_PROTOCOL', `${this.#target.host}: ${(err as Error).message}`));
          return;
        }
        if (end !== undefined) {
          cleanup();
          resolve({ refs: buf.subarray(0, end), rest: buf.subarray(end) });
        }
      };
      const onClose = () => {
        cleanup();
        // When the whole connection died, ssh2 closes its channels before saying so.
        setImmediate(() => reject(this.#lost ?? remoteFailure(stderr, this.#target, this.#shownUrl)));
      };
      const cleanup = () => {
        channel.off('data', onData);
        channel.off('close', onClose);
        // Nothing more is due before our request; paused, nothing can slip past a listener.
        channel.pause();
      };
      channel.on('data', onData);
      channel.on('close', onClose);
    });
  }

  /** POST …/S: writes the request into the advertised channel and answers with all the server writes. */
  async #exchange(service: Service, req: GitHttpRequest): Promise<GitHttpResponse> {
    const open = this.#pending.get(service);
    if (open === undefined) throw new FluxAzdoError('GIT_PROTOCOL', `${service} request over SSH without a ref advertisement first`);
    this.#pending.delete(service);
    const { channel, stderr } = open;
    const chunks: Buffer[] = [open.rest];
    const done = new Promise<number | null>((resolve) => {
      let code: number | null = null;
      channel.on('exit', (exitCode: number | null) => {
        code = exitCode;
      });
      channel.on('data', (chunk: Buffer) => chunks.push(chunk));
      channel.on('close', () => resolve(code));
    });
    channel.resume();
    if (req.body !== undefined) {
      for await (const chunk of req.body as AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
        // A server that hangs up mid-request never drains: stop writing then.
        if (!channel.write(chunk)) await Promise.race([new Promise((resolve) => channel.once('drain', resolve)), done]);
      }
    }
    channel.end();
    const code = await done;
    await new Promise((resolve) => setImmediate(resolve));
    const body = Buffer.concat(chunks);
    if (code === null && this.#lost !== undefined) throw this.#lost;
    if (body.length === 0 && code !== 0) throw remoteFailure(stderr, this.#target, this.#shownUrl);
    return okResponse(req.url, 'POST', `application/x-${service}-result`, body);
  }
}

/** The https:// stand-in for the target, which isomorphic-git accepts where it refuses ssh://. */
function standInUrl(target: SshTarget): string {
  const portPart = target.port === 22 ? '' : `:${target.port}`;
  return `https://${target.host.includes(':') ? `[${target.host}]` : target.host}${portPart}${target.path.startsWith('/') ? '' : '/'}${target.path}`;
}

export function createSshTransport(options: SshTransportOptions): SshTransport {
  const { target, auth } = options;
  const parsed = parsePrivateKey(auth.privateKey, auth.passphrase);
  if (isAzureDevOpsSshHost(target.host) && parsed.type !== 'ssh-rsa') {
    // Azure DevOps takes RSA keys only; say so before the server's bare "permission denied".
    throw new FluxAzdoError('KEY_NOT_RSA', `Azure DevOps accepts only RSA SSH keys; the key given is ${parsed.type}`, {
      option: 'private-key-file',
    });
  }
  const session = new SshSession(target, signingKey(parsed), auth, options);
  return {
    http: { request: (req) => session.request(req) },
    url: standInUrl(target),
    close: () => session.close(),
  };
}
