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
import type { BearerAuth, EntraAuth, TokenAuth } from './types.js';

/** An idle connection this long is given up (Azure DevOps answers well within it). */
const SOCKET_TIMEOUT_MS = 120_000;

export interface HttpsTransport {
  http: HttpClient;
  close(): void;
}

export interface HttpsTransportOptions {
  auth?: TokenAuth | EntraAuth | BearerAuth;
  /** PEM text of the CA certificates to trust instead of Node's bundled roots. */
  ca?: string;
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
  const basic =
    auth?.kind === 'token' ? basicAuthorization(auth) : auth?.kind === 'bearer' ? `Bearer ${auth.token.expose()}` : undefined;
  const entra = auth?.kind === 'entra' ? auth.tokens : undefined;

  async function request(req: GitHttpRequest): Promise<GitHttpResponse> {
    const url = new URL(req.url);
    const secure = url.protocol === 'https:';
    const method = req.method ?? 'GET';
    const body = await collectBody(req.body);
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (basic !== undefined) headers['authorization'] = basic;
    // Asked per request: the provider hands out its token until shortly before it expires.
    if (entra !== undefined) headers['authorization'] = (await entra.authorization(req.signal ? { signal: req.signal } : {})).expose();
    if (body !== undefined) headers['content-length'] = String(body.length);
    const target = url.host;

    return new Promise<GitHttpResponse>((resolve, reject) => {
      const send = secure ? https.request : http.request;
      const clientRequest = send(url, { method, headers, agent: secure ? httpsAgent : httpAgent });
      clientRequest.setTimeout(SOCKET_TIMEOUT_MS, () => {
        clientRequest.destroy(Object.assign(new Error(`no answer in ${SOCKET_TIMEOUT_MS / 1000}s`), { code: 'ETIMEDOUT' }));
      });
      clientRequest.on('error', (err) => reject(networkError(err, target)));
      const onAbort = () => clientRequest.destroy(new Error('aborted'));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      // One signal serves a whole bootstrap: its listener must go with the request.
      clientRequest.once('close', () => req.signal?.removeEventListener('abort', onAbort));
      clientRequest.on('response', (res) => {
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
          body: wrapBody(res, target),
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

/** The response stream as an async iterator whose errors (a dropped connection) are typed. */
async function* wrapBody(res: http.IncomingMessage, target: string): AsyncIterableIterator<Uint8Array> {
  try {
    for await (const chunk of res) yield chunk as Buffer;
  } catch (err) {
    throw networkError(err, target);
  }
  // A server that drops the connection mid-body ends the stream without an error event.
  if (!res.complete) throw networkError(new Error('the connection closed before the answer was complete'), target);
}
