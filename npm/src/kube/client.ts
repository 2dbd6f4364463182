/**
 * A small raw HTTP client for the Kubernetes API. Authentication and TLS come from
 * @kubernetes/client-node's KubeConfig (certificates, tokens, exec plugins, proxies); the bodies
 * are ours, so YAML text reaches the server untouched (the client's typed serializer drops
 * `x-kubernetes-*`, `default`, `enum` and `$ref` from CRD schemas).
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '../vendor/kube-config.js';
import { FluxAzdoError, type ErrorCode } from '../errors.js';

export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
}

export interface KubeRequestOptions {
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  contentType?: string;
  /** Accept header; default `application/json`. */
  accept?: string;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

/** The `Status` object the API server returns with errors. */
export interface KubeStatus {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
}

const defaultTimeoutMs = 30_000;
const retryableStatus = new Set([429, 502, 503, 504]);
const retryDelaysMs = [100, 250, 500, 1000, 2000];

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class KubeClient {
  readonly server: string;
  readonly #kc: KubeConfig;
  #agent: http.Agent | undefined;
  #staticHeaders: Record<string, string> | undefined;

  constructor(kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) {
      throw new FluxAzdoError('KUBECONFIG_INVALID', 'the kubeconfig has no cluster for the current context', {
        option: 'kubeconfig',
      });
    }
    this.#kc = kc;
    this.server = cluster.server.replace(/\/+$/, '');
  }

  get kubeConfig(): KubeConfig {
    return this.#kc;
  }

  /**
   * Sends one request. Network failures throw KUBE_UNREACHABLE; HTTP errors are returned. A busy
   * or (re)starting server's 429/502/503/504 is retried a few times with backoff first.
   */
  async request<T = unknown>(method: string, path: string, options: KubeRequestOptions = {}): Promise<KubeResponse<T>> {
    let res = await this.#send<T>(method, path, options);
    for (let attempt = 0; attempt < retryDelaysMs.length && retryableStatus.has(res.status); attempt++) {
      await delay(retryDelaysMs[attempt] ?? 0, options.signal);
      res = await this.#send<T>(method, path, options);
    }
    return res;
  }

  async #send<T>(method: string, path: string, options: KubeRequestOptions): Promise<KubeResponse<T>> {
    if (options.signal?.aborted) {
      throw new FluxAzdoError('CANCELLED', `cancelled before ${method} ${path}`, { cause: options.signal.reason });
    }
    const { agent, headers } = await this.#connection();
    const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const url = new URL(this.server + path);
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise<KubeResponse<T>>((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method,
          agent,
          headers: {
            ...headers,
            accept: options.accept ?? 'application/json',
            ...(payload === undefined
              ? {}
              : { 'content-type': options.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
          signal: options.signal,
          timeout: options.timeoutMs ?? defaultTimeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => reject(this.#networkError(err, method, path, options.signal)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            if (text.length > 0 && (res.headers['content-type'] ?? '').includes('json')) {
              try {
                body = JSON.parse(text);
              } catch {
                body = text;
              }
            }
            resolve({ status: res.statusCode ?? 0, body: body as T });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? defaultTimeoutMs} ms`)));
      req.on('error', (err) => reject(this.#networkError(err, method, path, options.signal)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Drops pooled connections (call when done, so the process can exit promptly). */
  close(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }

  async #connection(): Promise<{ agent: http.Agent | undefined; headers: Record<string, string> }> {
    if (this.#agent && this.#staticHeaders) return { agent: this.#agent, headers: this.#staticHeaders };
    const opts: https.RequestOptions = { headers: {} };
    try {
      await this.#kc.applyToHTTPSOptions(opts);
    } catch (err) {
      throw new FluxAzdoError('KUBE_AUTH_FAILED', `could not get credentials for ${this.server} from the kubeconfig: ${errorText(err)}`, {
        option: 'kubeconfig',
        cause: err,
      });
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (typeof v === 'string' || typeof v === 'number') headers[k] = String(v);
    }
    if (opts.auth) headers.authorization = 'Basic ' + Buffer.from(opts.auth).toString('base64');
    if (!this.#agent) {
      const cluster = this.#kc.getCurrentCluster();
      if (cluster?.proxyUrl) {
        // client-node builds the right proxy agent; keep it.
        this.#agent = opts.agent instanceof http.Agent ? opts.agent : undefined;
      } else if (this.server.startsWith('https:')) {
        this.#agent = new https.Agent({
          keepAlive: true,
          maxSockets: 16,
          ca: opts.ca,
          cert: opts.cert,
          key: opts.key,
          pfx: opts.pfx,
          passphrase: opts.passphrase,
          servername: opts.servername,
          ...(opts.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: opts.rejectUnauthorized }),
        });
      } else {
        this.#agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
      }
    }
    const user = this.#kc.getCurrentUser();
    // Exec plugins and auth providers hand out expiring tokens: ask again every time (client-node caches).
    if (!user?.exec && !user?.authProvider) this.#staticHeaders = headers;
    return { agent: this.#agent, headers };
  }

  #networkError(err: unknown, method: string, path: string, signal: AbortSignal | undefined): FluxAzdoError {
    if (signal?.aborted) {
      return new FluxAzdoError('CANCELLED', `cancelled: ${method} ${path}`, { cause: err });
    }
    return new FluxAzdoError(
      'KUBE_UNREACHABLE',
      `the Kubernetes API server ${this.server} is unreachable (${method} ${path}: ${errorText(err)}); ` +
        'check that the cluster is running and that the kubeconfig points at it',
      { cause: err },
    );
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code} ${err.message}` : err.message;
  }
  return String(err);
}

/** The server's message from an error response, or the status line. */
export function statusMessage(res: KubeResponse): string {
  const body = res.body as KubeStatus | string | undefined;
  if (body && typeof body === 'object' && typeof body.message === 'string') return body.message;
  if (typeof body === 'string' && body.length > 0) return body.slice(0, 500);
  return `HTTP ${res.status}`;
}

/** An error for a failed response: 401 and 403 get their own codes, the rest `fallback`. */
export function responseError(res: KubeResponse, what: string, fallback: ErrorCode): FluxAzdoError {
  if (res.status === 401) {
    return new FluxAzdoError(
      'KUBE_AUTH_FAILED',
      `the API server rejected the kubeconfig's credentials while trying to ${what}: ${statusMessage(res)}; ` +
        'log in again or pick another --context',
      { option: 'kubeconfig' },
    );
  }
  if (res.status === 403) {
    return new FluxAzdoError('FORBIDDEN', `not allowed to ${what}: ${statusMessage(res)}`);
  }
  return new FluxAzdoError(fallback, `could not ${what}: ${statusMessage(res)}`);
}
