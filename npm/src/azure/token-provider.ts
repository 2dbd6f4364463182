/**
 * Microsoft Entra tokens for Azure DevOps, for every HTTPS Git request and REST call of a run:
 * fetched once, held in memory only (a `SecretValue`), and fetched again before they expire, so
 * a long run (a slow cluster, a health wait) never sends an expired token.
 */
import type { TokenCredential } from '@azure/identity';

import type { AzureCredentialKind, EntraPush } from '../core/node.js';
import { SecretValue } from '../secret-value.js';
import { createCredential, credentialError } from './credentials.js';
import { discoverTenant, type TenantProbe } from './tenant.js';

/** The interface REST clients and the Git transport take: one token source for a run. */
export interface AzureDevOpsTokenProvider {
  readonly credential: AzureCredentialKind;
  /** A token with at least `REFRESH_MARGIN` (or a third of its lifetime) left. */
  getToken(options?: { signal?: AbortSignal }): Promise<SecretValue>;
  /** `Bearer <token>`, for an `Authorization` header. */
  authorization(options?: { signal?: AbortSignal }): Promise<SecretValue>;
  /** The tenant the tokens are asked for: given, or found from the organisation (undefined before the first token). */
  readonly tenantId: string | undefined;
  /** How the tenant was found. */
  readonly tenantSource: 'given' | TenantProbe['source'] | undefined;
}

export interface TokenProviderOptions {
  /** The core's `plan.entra`: the kind, the scope and the organisation URL. */
  entra: EntraPush;
  /** `--azure-tenant-id`: skips the discovery. */
  tenantId?: string;
  /** The CA (PEM text) of the organisation's server, for the tenant probe (`--ca-file`). */
  ca?: string;
  /**
   * Where flux-azdo reads AZURE_AUTHORITY_HOST, AZURE_CLIENT_ID and the pipeline variables
   * (default `process.env`); `@azure/identity`'s credentials read `process.env` themselves.
   */
  env?: NodeJS.ProcessEnv;
  /** A credential of the caller's own (e.g. VS Code's Microsoft sign-in) instead of the kind's. */
  tokenCredential?: TokenCredential;
  /** The clock, for tests of the refresh rule. */
  now?: () => number;
}

/** A token is refreshed this long before it expires (Azure SDK policies use 2 minutes too). */
export const REFRESH_MARGIN_MS = 120_000;

interface Held {
  token: SecretValue;
  refreshAt: number;
}

/** When to fetch again: `refreshAfterTimestamp` if the service gave one, else before expiry. */
export function refreshTime(obtainedAt: number, expiresOn: number, refreshAfter?: number): number {
  const lifetime = Math.max(0, expiresOn - obtainedAt);
  const early = expiresOn - Math.min(REFRESH_MARGIN_MS, lifetime / 3);
  return refreshAfter !== undefined && refreshAfter < early ? refreshAfter : early;
}

export function createAzureDevOpsTokenProvider(options: TokenProviderOptions): AzureDevOpsTokenProvider {
  const { entra } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  let tenantId = options.tenantId || undefined;
  let tenantSource: AzureDevOpsTokenProvider['tenantSource'] = tenantId ? 'given' : undefined;
  let credential: TokenCredential | undefined;
  let held: Held | undefined;
  let inFlight: Promise<SecretValue> | undefined;

  async function fetchToken(signal: AbortSignal | undefined): Promise<SecretValue> {
    if (tenantSource === undefined) {
      const probe = await discoverTenant(entra.organizationUrl, {
        ...(options.ca ? { ca: options.ca } : {}),
        ...(signal ? { signal } : {}),
      });
      tenantId = probe.tenantId;
      tenantSource = probe.source;
    }
    try {
      credential ??= options.tokenCredential ?? (await createCredential({ kind: entra.credential, tenantId, env }));
      const obtainedAt = now();
      const token = await credential.getToken(entra.scope, {
        ...(tenantId === undefined ? {} : { tenantId }),
        ...(signal === undefined ? {} : { abortSignal: signal }),
      });
      if (!token) throw new Error('the credential returned no token');
      const value = new SecretValue(token.token);
      held = { token: value, refreshAt: refreshTime(obtainedAt, token.expiresOnTimestamp, token.refreshAfterTimestamp) };
      return value;
    } catch (err) {
      throw credentialError(entra.credential, err, tenantId);
    }
  }

  const provider: AzureDevOpsTokenProvider = {
    credential: entra.credential,
    get tenantId() {
      return tenantId;
    },
    get tenantSource() {
      return tenantSource;
    },
    async getToken({ signal } = {}) {
      if (held && now() < held.refreshAt) return held.token;
      // Requests in parallel share one fetch.
      inFlight ??= fetchToken(signal).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    async authorization(opts = {}) {
      return new SecretValue(`Bearer ${(await provider.getToken(opts)).expose()}`);
    },
  };
  return provider;
}
