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
import ssh2, { type Client, type ClientChannel, type ConnectConfig, type PublicKeyAuthMethod } from 'ssh2';

import { FluxAzdoError } from '../errors.js';
import { defaultHostKeyAlgos, fingerprintSha256, HostKeyPolicy, isAzureDevOpsSshHost } from './hostkey.js';
import { parsePrivateKey, signingKey } from './ssh-key.js';
import type { SshAuth } from './types.js';

const READY_TIMEOUT_MS = 30_000;
/** A connection silent for 4 × 15 s is dead (a push never waits that long for a keepalive answer). */
const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 4;
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
  if (service === undefined) throw new FluxAzdoError('GIT_PROTOCOL', `unsupported Git request over SSH: ${req.method ?? 'GET'} ${url.pathname}`);
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

export function createSshTransport(options: SshTransportOptions): SshTransport {
  const { target, auth } = options;
  const parsed = parsePrivateKey(auth.privateKey, auth.passphrase);
  if (isAzureDevOpsSshHost(target.host) && parsed.type !== 'ssh-rsa') {
    // Azure DevOps takes RSA keys only; say so before the server's bare "permission denied".
    throw new FluxAzdoError('KEY_NOT_RSA', `Azure DevOps accepts only RSA SSH keys; the key given is ${parsed.type}`, {
      option: 'private-key-file',
    });
  }
  const key = signingKey(parsed);
  const policy = new HostKeyPolicy(target.host, target.port, auth.knownHosts);
  const hostKeyAlgos = auth.hostKeyAlgos ?? defaultHostKeyAlgos(target.host);
  const pending = new Map<Service, OpenChannel>();
  let connection: Promise<Client> | undefined;
  let client: Client | undefined;
  /** Set when an established connection dies: later failures are reported as that. */
  let lost: FluxAzdoError | undefined;
  let closed = false;

  function connect(): Promise<Client> {
    connection ??= new Promise<Client>((resolve, reject) => {
      const c = new ssh2.Client();
      client = c;
      let ready = false;
      let triedKey = false;
      c.once('ready', () => {
        ready = true;
        resolve(c);
      });
      c.on('error', (err: Error & { level?: string }) => {
        if (!ready) reject(connectError(err));
        else lost ??= new FluxAzdoError('GIT_UNREACHABLE', `the SSH connection to ${target.host}:${target.port} failed: ${err.message}`);
      });
      c.on('close', () => {
        closed = true;
        if (!ready) reject(new FluxAzdoError('GIT_UNREACHABLE', `the SSH connection to ${target.host}:${target.port} closed during the handshake`));
        else lost ??= new FluxAzdoError('GIT_UNREACHABLE', `the SSH connection to ${target.host}:${target.port} closed`);
      });
      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.username,
        readyTimeout: READY_TIMEOUT_MS,
        keepaliveInterval: KEEPALIVE_INTERVAL_MS,
        keepaliveCountMax: KEEPALIVE_COUNT_MAX,
        hostVerifier: (blob: Buffer) => policy.verify(blob),
        // One attempt with our key (ssh2's default order would also try 'none' and an agent).
        authHandler: (_left, _partial, next) => {
          if (triedKey) return next(false as never);
          triedKey = true;
          const method: PublicKeyAuthMethod = { type: 'publickey', username: target.username, key };
          next(method);
        },
        ...(hostKeyAlgos === undefined ? {} : { algorithms: { serverHostKey: hostKeyAlgos as never } }),
      };
      c.connect(config);
    });
    return connection;
  }

  function connectError(err: Error & { level?: string }): FluxAzdoError {
    if (policy.rejection !== undefined) return policy.rejection;
    if (err.level === 'client-authentication') {
      return new FluxAzdoError(
        'AUTH_FAILED',
        `the SSH server ${target.host} refused the key ${fingerprintSha256(key.getPublicSSH())} for user ${target.username}: add its public key to the repository's SSH keys (Azure DevOps: User settings → SSH public keys) and use an RSA key`,
        { option: 'private-key-file' },
      );
    }
    if (err.level === 'handshake' || err.level === 'protocol') {
      return new FluxAzdoError('GIT_PROTOCOL', `the SSH handshake with ${target.host}:${target.port} failed: ${err.message}`);
    }
    return new FluxAzdoError('GIT_UNREACHABLE', `the SSH connection to ${target.host}:${target.port} failed: ${err.message}`);
  }

  function exec(c: Client, command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      c.exec(command, (err, channel) => {
        if (err) reject(lost ?? new FluxAzdoError('GIT_PROTOCOL', `the SSH server ${target.host} refused to run ${command.split(' ')[0]}: ${err.message}`));
        else resolve(channel);
      });
    });
  }

  function discard(service: Service): void {
    const open = pending.get(service);
    if (open === undefined) return;
    pending.delete(service);
    // A flush packet tells upload-pack/receive-pack that no request follows.
    open.channel.end(Buffer.from('0000'));
  }

  async function advertise(service: Service, url: string): Promise<GitHttpResponse> {
    discard(service);
    const c = await connect();
    const channel = await exec(c, `${service} ${gitShellQuote(target.path)}`);
    const stderr: Buffer[] = [];
    channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const advertisement = await new Promise<{ refs: Buffer; rest: Buffer }>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        let end: number | undefined;
        try {
          end = endOfFirstFlush(buf);
        } catch (err) {
          cleanup();
          reject(new FluxAzdoError('GIT_PROTOCOL', `${target.host}: ${(err as Error).message}`));
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
        setImmediate(() => reject(lost ?? remoteFailure(stderr, target, options.shownUrl)));
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
    pending.set(service, { channel, stderr, rest: advertisement.rest });
    const body = Buffer.concat([pktLine(`# service=${service}\n`), Buffer.from('0000'), advertisement.refs]);
    return {
      url,
      method: 'GET',
      statusCode: 200,
      statusMessage: 'OK',
      headers: { 'content-type': `application/x-${service}-advertisement` },
      body: once(body),
    };
  }

  async function exchange(service: Service, req: GitHttpRequest): Promise<GitHttpResponse> {
    const open = pending.get(service);
    if (open === undefined) throw new FluxAzdoError('GIT_PROTOCOL', `${service} request over SSH without a ref advertisement first`);
    pending.delete(service);
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
    if (code === null && lost !== undefined) throw lost;
    if (body.length === 0 && code !== 0) throw remoteFailure(stderr, target, options.shownUrl);
    return {
      url: req.url,
      method: 'POST',
      statusCode: 200,
      statusMessage: 'OK',
      headers: { 'content-type': `application/x-${service}-result` },
      body: once(body),
    };
  }

  async function request(req: GitHttpRequest): Promise<GitHttpResponse> {
    const service = serviceOf(req);
    return (req.method ?? 'GET') === 'GET' ? advertise(service, req.url) : exchange(service, req);
  }

  const portPart = target.port === 22 ? '' : `:${target.port}`;
  return {
    http: { request },
    url: `https://${target.host.includes(':') ? `[${target.host}]` : target.host}${portPart}${target.path.startsWith('/') ? '' : '/'}${target.path}`,
    async close() {
      for (const service of SERVICES) discard(service);
      const c = client;
      if (c === undefined) return;
      await connection?.catch(() => undefined);
      if (closed) return;
      await new Promise<void>((resolve) => {
        c.once('close', () => resolve());
        c.end();
        // ssh2 emits no 'close' for a connection that never opened a socket.
        setTimeout(resolve, 2_000).unref();
      });
    },
  };
}
