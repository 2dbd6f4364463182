/**
 * isomorphic-git's `http` plugin on node:https, so the TLS settings (the CA bundle of `--ca-file`)
 * and the credential stay ours. The Authorization header is added here, on the way out: the PAT
 * never reaches isomorphic-git, its errors, its callbacks or `.git/config`.
 */
import * as http from 'node:http';
import * as https from 'node:https';

import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';

import { FluxAzdoError } from '../errors.js';
import { entraRefusal } from './entra-refusal.js';
import { gitTimeout, GitServerUnavailable, isRetryableStatus, retryAfterMs, waitForRetry, type RetryContext } from './server-retry.js';
import type { BearerAuth, EntraAuth, TokenAuth } from './types.js';

/** An idle connection this long is given up (Azure DevOps answers well within it). */
const SOCKET_TIMEOUT_MS = 120_000;
/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface HttpsTransport {
  http: HttpClient;
  close(): void;
}

export interface HttpsTransportOptions {
  auth?: TokenAuth | EntraAuth | BearerAuth;
  /** PEM text of the CA certificates to trust instead of Node's bundled roots. */
  ca?: string;
  /** Retries of 429/5xx answers and the operation's time limit (server-retry.ts). */
  retry?: RetryContext;
}

export function basicAuthorization(auth: TokenAuth): string {
  const username = auth.username && auth.username.length > 0 ? auth.username : 'git';
  return `Basic ${Buffer.from(`${username}:${auth.password.expose()}`, 'utf8').toString('base64')}`;
}

async function collectBody(body: GitHttpRequest['body']): Promise<Buffer | undefined> {
  if (body === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  // isomorphic-git passes an array of chunks or an async iterator.
  for await (const chunk of body as AsyncIterable<Uint8Array> | Iterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

const TLS_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

async function drain(body: GitHttpResponse['body']): Promise<string> {
  const chunks: Uint8Array[] = [];
  try {
    if (body !== undefined) for await (const chunk of body) chunks.push(chunk);
  } catch {
    // The status is what matters; a body cut short says nothing more.
  }
  return Buffer.concat(chunks).toString('utf8');
}

function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .find((line) => line.trim() !== '')
      ?.trim()
      .slice(0, 200) ?? ''
  );
}

/** Turns a socket/TLS error into a typed error naming the host (never the request). */
export function networkError(err: unknown, target: string): FluxAzdoError {
  const code = (err as { code?: unknown }).code;
  const reason = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && TLS_ERRORS.has(code)) {
    return new FluxAzdoError(
      'TLS_UNTRUSTED',
      `the TLS certificate of ${target} is not trusted (${code}); give the CA bundle that signed it with --ca-file`,
      { option: 'ca-file' },
    );
  }
  return new FluxAzdoError('GIT_UNREACHABLE', `the connection to ${target} failed: ${reason}`);
}

export function createHttpsTransport(options: HttpsTransportOptions): HttpsTransport {
  const agentOptions = { keepAlive: true, maxSockets: 4, ...(options.ca === undefined ? {} : { ca: options.ca }) };
  const httpsAgent = new https.Agent(agentOptions);
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const auth = options.auth;
  const basic = auth?.kind === 'token' ? basicAuthorization(auth) : auth?.kind === 'bearer' ? `Bearer ${auth.token.expose()}` : undefined;
  const entra = auth?.kind === 'entra' ? auth.tokens : undefined;

  const retry = options.retry;

  /**
   * Reads, and the ref advertisement of a push, are sent again on a retryable status: they change
   * nothing on the server. A push itself (POST git-receive-pack) is not: its caller checks the
   * branch first, so a push the server applied before failing never lands twice (push-ref.ts).
   */
  async function request(req: GitHttpRequest): Promise<GitHttpResponse> {
    const url = new URL(req.url);
    const body = await collectBody(req.body);
    const resendable = (req.method ?? 'GET') === 'GET' || url.pathname.endsWith('/git-upload-pack');
    for (let attempt = 1; ; attempt += 1) {
      const res = await send(req, url, body);
      if (!isRetryableStatus(res.statusCode) || retry === undefined) return res;
      const after = retryAfterMs(res.headers?.['retry-after']);
      const said = firstLine(await drain(res.body));
      if (!resendable) throw new GitServerUnavailable(res.statusCode, attempt, after, 'push', said);
      const next = await waitForRetry(retry, { status: res.statusCode, retryAfterMs: after, said }, attempt);
      if (next !== true) throw next;
    }
  }

  async function send(req: GitHttpRequest, url: URL, body: Buffer | undefined): Promise<GitHttpResponse> {
    const secure = url.protocol === 'https:';
    const method = req.method ?? 'GET';
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (basic !== undefined) headers['authorization'] = basic;
    // Asked per request: the provider hands out its token until shortly before it expires.
    if (entra !== undefined) headers['authorization'] = (await entra.authorization(req.signal ? { signal: req.signal } : {})).expose();
    if (body !== undefined) headers['content-length'] = String(body.length);
    const target = url.host;
    const signal = req.signal ?? retry?.signal;
    const left = (retry?.deadline ?? Number.POSITIVE_INFINITY) - Date.now();
    if (left <= 0) throw gitTimeout(target, retry?.timeoutMs);

    return new Promise<GitHttpResponse>((resolve, reject) => {
      const open = secure ? https.request : http.request;
      // The CA goes with each request too, not only in the agent: VS Code's extension host
      // (1.100) wraps https.request for its proxy support and may set the request's `ca`
      // itself, which would override the agent's (TLS_UNTRUSTED against a private CA).
      const tls = secure && options.ca !== undefined ? { ca: options.ca } : {};
      const clientRequest = open(url, { method, headers, agent: secure ? httpsAgent : httpAgent, ...tls });
      /** Set when the request is ended with a typed error (the time limit): its answer fails with it too. */
      let failure: FluxAzdoError | undefined;
      const fail = (error: FluxAzdoError) => {
        failure ??= error;
        clientRequest.destroy(error);
      };
      clientRequest.setTimeout(SOCKET_TIMEOUT_MS, () => {
        clientRequest.destroy(Object.assign(new Error(`no answer in ${SOCKET_TIMEOUT_MS / 1000}s`), { code: 'ETIMEDOUT' }));
      });
      // The operation's limit covers the whole request, the answer's body too (a server may stall
      // mid-body): a server that accepts and never answers is a TIMEOUT, not a hang.
      const deadline = Number.isFinite(left)
        ? setTimeout(() => fail(gitTimeout(target, retry?.timeoutMs)), Math.min(left, MAX_TIMER_MS))
        : undefined;
      deadline?.unref();
      clientRequest.on('error', (err) => reject(failure ?? networkError(err, target)));
      const onAbort = () => clientRequest.destroy(new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      // One signal serves a whole bootstrap: its listener must go with the request.
      clientRequest.once('close', () => {
        clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
      });
      clientRequest.on('response', (res) => {
        res.once('close', () => clearTimeout(deadline));
        const status = res.statusCode ?? 0;
        if (entra !== undefined && (status === 401 || status === 203)) {
          // Azure DevOps refused the Entra token: say why here, where the answer is at hand
          // (isomorphic-git would retry through onAuth and report a PAT problem).
          entraRefusal(res, status, url, entra).then(reject, reject);
          return;
        }
        resolve({
          url: req.url,
          method,
          statusCode: res.statusCode ?? 0,
          statusMessage: res.statusMessage ?? '',
          headers: flattenHeaders(res.headers),
          body: wrapBody(res, target, () => failure),
        });
      });
      clientRequest.end(body);
    });
  }

  return {
    http: { request },
    close() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}

/** The response stream as an async iterator whose errors (a dropped connection, the time limit) are typed. */
async function* wrapBody(
  res: http.IncomingMessage,
  target: string,
  failure: () => FluxAzdoError | undefined,
): AsyncIterableIterator<Uint8Array> {
  try {
    for await (const chunk of res) yield chunk as Buffer;
  } catch (err) {
    throw failure() ?? networkError(err, target);
  }
  // A server that drops the connection mid-body ends the stream without an error event.
  if (!res.complete) throw failure() ?? networkError(new Error('the connection closed before the answer was complete'), target);
}
