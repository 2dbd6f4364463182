/**
 * The organisation's Microsoft Entra tenant, found without signing in: Azure DevOps answers an
 * anonymous `HEAD https://dev.azure.com/{org}` with `WWW-Authenticate: Bearer
 * authorization_uri=https://login.microsoftonline.com/{tenant}` and `X-VSS-ResourceTenant:
 * {tenant}` (what Git Credential Manager reads). Only the tenant id is taken from the answer,
 * never the authority host: a server must not choose where credentials are sent.
 */
import * as https from 'node:https';

import { networkError } from '../git/https-transport.js';

/** An organisation backed by Microsoft accounts, not an Entra tenant. */
const MSA_TENANT = '00000000-0000-0000-0000-000000000000';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PROBE_TIMEOUT_MS = 30_000;

export interface TenantProbe {
  /** The tenant id, or undefined when the answer names none (or a Microsoft-account organisation). */
  tenantId: string | undefined;
  /** Which header named it. */
  source: 'www-authenticate' | 'x-vss-resourcetenant' | 'none';
}

/** The tenant named by the answer's headers (exported for tests of the parsing). */
export function tenantFromHeaders(wwwAuthenticate: string | string[] | undefined, resourceTenant: string | undefined): TenantProbe {
  const challenges = Array.isArray(wwwAuthenticate) ? wwwAuthenticate : wwwAuthenticate === undefined ? [] : [wwwAuthenticate];
  for (const challenge of challenges) {
    const match = /\bBearer\s+(?:[^,]*,\s*)*?authorization_uri="?([^",\s]+)"?/i.exec(challenge);
    if (!match?.[1]) continue;
    let segment: string | undefined;
    try {
      segment = new URL(match[1]).pathname.split('/').find((s) => s !== '');
    } catch {
      continue;
    }
    if (segment && GUID.test(segment) && segment !== MSA_TENANT) return { tenantId: segment.toLowerCase(), source: 'www-authenticate' };
  }
  const header = resourceTenant?.split(',')[0]?.trim();
  if (header && GUID.test(header) && header !== MSA_TENANT) return { tenantId: header.toLowerCase(), source: 'x-vss-resourcetenant' };
  return { tenantId: undefined, source: 'none' };
}

/** Sends the anonymous probe; `ca` is the `--ca-file` text when the server has a private CA. */
export async function discoverTenant(organizationUrl: string, options: { ca?: string; signal?: AbortSignal } = {}): Promise<TenantProbe> {
  const url = new URL(organizationUrl);
  return new Promise<TenantProbe>((resolve, reject) => {
    const req = https.request(url, {
      method: 'HEAD',
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    req.setTimeout(PROBE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => reject(networkError(err, url.host)));
    req.on('response', (res) => {
      res.resume();
      const tenant = res.headers['x-vss-resourcetenant'];
      resolve(tenantFromHeaders(res.headers['www-authenticate'], Array.isArray(tenant) ? tenant[0] : tenant));
    });
    req.end();
  });
}
