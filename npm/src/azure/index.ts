/**
 * Microsoft Entra tokens for Azure DevOps (`--azure-credential`): the token provider the Git
 * transport and REST clients share, the tenant probe, and the credential kinds.
 */
export { createAzureDevOpsTokenProvider, REFRESH_MARGIN_MS, refreshTime } from './token-provider.js';
export type { AzureDevOpsTokenProvider, TokenProviderOptions } from './token-provider.js';
export { discoverTenant, tenantFromHeaders } from './tenant.js';
export type { TenantProbe } from './tenant.js';
export { disableInstanceDiscovery } from './credentials.js';
