/**
 * `--provider=azure` without `--workload-identity-tenant-id`: the organisation's tenant, found
 * with the same anonymous probe as `--azure-credential` (`HEAD https://dev.azure.com/{org}`,
 * npm/src/azure/tenant.ts), before the plan is made — the tenant goes into the
 * ServiceAccount annotations of the first commit, so it must be known before planning.
 */
import { readFile } from 'node:fs/promises';

import { discoverTenant } from '../azure/tenant.js';
import { organizationUrl, type Plan } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import type { EventHandler } from '../events.js';
import type { BootstrapOptions } from './options.js';

/**
 * The options with the discovered tenant filled in; the same options when no probe is needed
 * (no workload identity, or the tenant given). A probe that names no tenant (an organisation
 * backed by Microsoft accounts, or a server that does not say) stops the run: without the
 * annotation the webhook's default tenant applies, which is the cluster's, not necessarily the
 * organisation's, so flux-azdo asks rather than guesses.
 */
export async function withWorkloadIdentityTenant(
  options: BootstrapOptions,
  plan: Plan,
  emit: EventHandler,
  signal?: AbortSignal,
): Promise<BootstrapOptions> {
  const identity = plan.workloadIdentity;
  if (!identity || identity.tenantId) return options;
  const url = organizationUrl(plan.repo.url);
  const probe = url
    ? await discoverTenant(url, { ...(await caText(options)), ...(signal ? { signal } : {}) })
    : { tenantId: undefined, source: 'none' as const };
  if (!probe.tenantId) {
    throw new FluxAzdoError(
      'TENANT_NOT_FOUND',
      `--provider=azure needs the identity's tenant and ${url ?? 'the organisation'} named none: pass --workload-identity-tenant-id (az identity show --query tenantId)`,
      { option: 'workload-identity-tenant-id' },
    );
  }
  emit({
    type: 'log',
    level: 'info',
    message: `workload identity tenant ${probe.tenantId}: discovered from ${url} (${probe.source === 'www-authenticate' ? 'WWW-Authenticate' : 'X-VSS-ResourceTenant'}); --workload-identity-tenant-id sets another`,
    tenantId: probe.tenantId,
  });
  return { ...options, workloadIdentityTenantId: probe.tenantId };
}

/** The `--ca-file` text, for an organisation's server with a private CA. */
async function caText(options: BootstrapOptions): Promise<{ ca?: string }> {
  if (!options.caFile) return {};
  try {
    return { ca: await readFile(options.caFile, 'utf8') };
  } catch {
    throw new FluxAzdoError('USAGE', `cannot read --ca-file ${options.caFile}`, { option: 'ca-file' });
  }
}
