/**
 * Azure DevOps' PAT Lifecycle Management API, read-only: `GET {vssps}/{org}/_apis/tokens/pats`
 * (api-version 7.1-preview.1, paged by `continuationToken`), authenticated with a Microsoft Entra
 * *user* token. It lists the caller's PATs with `displayName`, `authorizationId`, `scope`,
 * `validFrom` and `validTo`, never their values. So the PAT in the cluster's Secret is matched by
 * its display name (`--pat-name`), and the PAT itself is never sent here: only to the Git endpoint.
 */
import https from 'node:https';

import { FluxAzdoError } from '../errors.js';
import type { SecretValue } from '../secret-value.js';

export const PAT_LIFECYCLE_HOST = 'https://vssps.dev.azure.com';
export const PAT_LIFECYCLE_API_VERSION = '7.1-preview.1';

/** One entry of `patTokens` (Microsoft's `PatToken`; `token` is null on list). */
export interface PatToken {
  authorizationId: string;
  displayName: string;
  scope: string;
  targetAccounts?: string[] | null;
  validFrom: string;
  validTo: string;
}

export interface PatLifecycleOptions {
  organization: string;
  /** The API's origin (default Azure DevOps' `https://vssps.dev.azure.com`). */
  baseUrl?: string;
  /** Extra CA certificates (PEM) for a private endpoint. */
  caPem?: string;
  /** A Microsoft Entra user access token for Azure DevOps (`499b84ac-…/.default`). */
  token: SecretValue;
  signal?: AbortSignal;
}

interface PagedPatTokens {
  continuationToken?: string | null;
  patTokens?: PatToken[];
}

/** Every PAT of the signed-in user in the organization. */
export async function listPats(options: PatLifecycleOptions): Promise<PatToken[]> {
  const all: PatToken[] = [];
  let continuation: string | undefined;
  for (let page = 0; page < 100; page++) {
    const url = new URL(
      `${(options.baseUrl ?? PAT_LIFECYCLE_HOST).replace(/\/+$/, '')}/${encodeURIComponent(options.organization)}/_apis/tokens/pats`,
    );
    url.searchParams.set('api-version', PAT_LIFECYCLE_API_VERSION);
    if (continuation) url.searchParams.set('continuationToken', continuation);
    const { status, body, contentType } = await get(url, options);
    if (status === 203 || status === 401 || status === 403 || !contentType.includes('json')) {
      throw new FluxAzdoError(
        'PAT_LIFECYCLE_FAILED',
        `the PAT lifecycle API refused the Entra token (HTTP ${status}${message(body)}): it takes a user's token (az login), not an app's or a PAT`,
        { option: 'azure-credential' },
      );
    }
    if (status !== 200) throw new FluxAzdoError('PAT_LIFECYCLE_FAILED', `the PAT lifecycle API answered HTTP ${status}${message(body)}`);
    const paged = JSON.parse(body) as PagedPatTokens;
    all.push(...(paged.patTokens ?? []));
    continuation = paged.continuationToken || undefined;
    if (!continuation) return all;
  }
  throw new FluxAzdoError('PAT_LIFECYCLE_FAILED', 'the PAT lifecycle API kept paging; giving up after 100 pages');
}

function message(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string; typeKey?: string };
    return parsed.message ? `: ${parsed.message}${parsed.typeKey ? ` (${parsed.typeKey})` : ''}` : '';
  } catch {
    return '';
  }
}

function get(url: URL, options: PatLifecycleOptions): Promise<{ status: number; body: string; contentType: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'GET',
        headers: {
          Authorization: `Bearer ${options.token.expose()}`,
          Accept: 'application/json',
          // Azure DevOps answers a bad token with a sign-in page (203) unless asked not to.
          'X-TFS-FedAuthRedirect': 'Suppress',
        },
        ...(options.caPem ? { ca: options.caPem } : {}),
        timeout: 30_000,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            contentType: String(res.headers['content-type'] ?? ''),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) =>
      reject(new FluxAzdoError('PAT_LIFECYCLE_FAILED', `the PAT lifecycle API at ${url.origin} is unreachable: ${err.message}`)),
    );
    req.end();
  });
}
