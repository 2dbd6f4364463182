/**
 * One `@azure/identity` credential per `--azure-credential` kind, and its failures as typed
 * errors saying what was tried and what to do.
 *
 * `@azure/identity` is pinned at 4.13.1: the last version whose `engines` allow Node 20 (4.13.2
 * and later require Node 22; flux-azdo supports Node >= 20.19).
 */
import type { TokenCredential } from '@azure/identity';

import type { AzureCredentialKind } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';

export interface CredentialInput {
  kind: AzureCredentialKind;
  /** The tenant to ask (given, or the organisation's); undefined: the credential's own. */
  tenantId: string | undefined;
  env: NodeJS.ProcessEnv;
}

/** What each kind tries, and how a user makes it available: the text of AUTH_NO_AZURE_CREDENTIAL. */
const TRIED: Record<AzureCredentialKind, string[]> = {
  environment: ['EnvironmentCredential: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)'],
  'workload-identity': [
    'WorkloadIdentityCredential: set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE (the AKS workload identity webhook sets them in a pod labelled azure.workload.identity/use: "true")',
  ],
  'managed-identity': [
    'ManagedIdentityCredential: run on an Azure VM, App Service or AKS node with a managed identity (AZURE_CLIENT_ID picks a user-assigned one)',
  ],
  cli: ['AzureCliCredential: run `az login` (a service principal: `az login --service-principal`)'],
  pipelines: [
    'AzurePipelinesCredential: in an Azure Pipelines job, map SYSTEM_ACCESSTOKEN: $(System.AccessToken) and run in a task with an Azure Resource Manager service connection using workload identity federation (AzureCLI@2 sets AZURESUBSCRIPTION_CLIENT_ID, AZURESUBSCRIPTION_TENANT_ID and AZURESUBSCRIPTION_SERVICE_CONNECTION_ID)',
  ],
  // The API caller's own credential (azureTokenCredential); a run without one stops, never
  // falling back to another kind.
  external: [
    "the API caller's own credential: pass azureTokenCredential to bootstrap() (the CLI has none: choose another --azure-credential)",
  ],
  default: [],
};
TRIED.default = [
  ...TRIED.environment,
  ...TRIED['workload-identity'],
  ...TRIED['managed-identity'],
  ...TRIED.cli,
  'AzurePowerShellCredential: run `Connect-AzAccount`',
  'AzureDeveloperCliCredential: run `azd auth login`',
];

/**
 * Microsoft's own clouds, whose metadata MSAL ships. For any other authority host (Azure Stack,
 * a private cloud, the test token service) instance discovery is turned off: MSAL sends it to
 * login.microsoftonline.com whatever the host, which knows nothing of that host.
 */
export function disableInstanceDiscovery(env: NodeJS.ProcessEnv, microsoftHosts: Iterable<string>): boolean {
  const host = env['AZURE_AUTHORITY_HOST'];
  if (host === undefined || host === '') return false;
  try {
    const wanted = new URL(host).host;
    return ![...microsoftHosts].some((h) => new URL(h).host === wanted);
  } catch {
    return false;
  }
}

/** The credential of a kind. `@azure/identity` (and MSAL) load here, only for a run that uses them. */
export async function createCredential({ kind, tenantId, env }: CredentialInput): Promise<TokenCredential> {
  const {
    AzureAuthorityHosts,
    AzureCliCredential,
    AzurePipelinesCredential,
    DefaultAzureCredential,
    EnvironmentCredential,
    ManagedIdentityCredential,
    WorkloadIdentityCredential,
  } = await import('@azure/identity');
  const common = {
    disableInstanceDiscovery: disableInstanceDiscovery(env, Object.values(AzureAuthorityHosts)),
    // The token is asked for the organisation's tenant (getToken's tenantId); a credential
    // configured for another tenant may ask there too.
    ...(tenantId === undefined ? {} : { additionallyAllowedTenants: [tenantId] }),
  };
  switch (kind) {
    case 'default':
      return new DefaultAzureCredential({ ...common, ...(tenantId === undefined ? {} : { tenantId }) });
    case 'cli':
      return new AzureCliCredential({ ...(tenantId === undefined ? {} : { tenantId }) });
    case 'workload-identity':
      return new WorkloadIdentityCredential({ ...common, ...(tenantId === undefined ? {} : { tenantId }) });
    case 'managed-identity': {
      const clientId = env['AZURE_CLIENT_ID'];
      return clientId ? new ManagedIdentityCredential(clientId) : new ManagedIdentityCredential();
    }
    case 'environment':
      return new EnvironmentCredential(common);
    case 'pipelines': {
      const pipelineTenant = tenantId ?? env['AZURESUBSCRIPTION_TENANT_ID'] ?? '';
      const clientId = env['AZURESUBSCRIPTION_CLIENT_ID'] ?? '';
      const connection = env['AZURESUBSCRIPTION_SERVICE_CONNECTION_ID'] ?? '';
      const systemAccessToken = env['SYSTEM_ACCESSTOKEN'] ?? '';
      if (!pipelineTenant || !clientId || !connection || !systemAccessToken) throw unavailable(kind);
      return new AzurePipelinesCredential(pipelineTenant, clientId, connection, systemAccessToken, common);
    }
    case 'external':
      // Reached only when the caller handed over no credential of its own.
      throw unavailable(kind);
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : '';
}

/** The AADSTS codes of an Entra error answer, e.g. `AADSTS7000215`: safe to show, and what Microsoft's docs are searched by. */
function aadstsCodes(err: unknown): string[] {
  const found = new Set<string>();
  const visit = (e: unknown) => {
    if (!(e instanceof Error)) return;
    for (const m of e.message.matchAll(/AADSTS\d+/g)) found.add(m[0]);
    const nested = (e as { errors?: unknown }).errors;
    if (Array.isArray(nested)) nested.forEach(visit);
  };
  visit(err);
  return [...found];
}

function unavailable(kind: AzureCredentialKind, cause?: unknown): FluxAzdoError {
  const tried = TRIED[kind].map((t) => `  - ${t}`).join('\n');
  return new FluxAzdoError(
    'AUTH_NO_AZURE_CREDENTIAL',
    `--azure-credential=${kind}: no Azure credential is available. Tried:\n${tried}\nOr push with a personal access token (--password) instead.`,
    {
      option: 'azure-credential',
      tried: TRIED[kind].map((t) => t.slice(0, t.indexOf(':'))),
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

/** An `@azure/identity` failure as a typed error. The library's messages are not shown: they may quote configuration. */
export function credentialError(kind: AzureCredentialKind, err: unknown, tenantId: string | undefined): FluxAzdoError {
  if (err instanceof FluxAzdoError) return err;
  const name = errorName(err);
  const codes = aadstsCodes(err);
  const nested = (err as { errors?: unknown } | null)?.errors;
  const allUnavailable =
    name === 'CredentialUnavailableError' ||
    (name === 'AggregateAuthenticationError' &&
      Array.isArray(nested) &&
      nested.every((e) => errorName(e) === 'CredentialUnavailableError' || errorName(e) === 'AuthenticationRequiredError'));
  if (allUnavailable && codes.length === 0) return unavailable(kind, err);
  const tenant = tenantId ? ` for tenant ${tenantId}` : '';
  const said = codes.length > 0 ? ` (${codes.join(', ')})` : '';
  return new FluxAzdoError(
    'AUTH_ENTRA_REFUSED',
    `Microsoft Entra ID refused --azure-credential=${kind}${tenant}${said}: check the client id and secret or federated credential, and that the identity belongs to the tenant of the Azure DevOps organisation (--azure-tenant-id overrides the tenant found from the organisation)`,
    { option: 'azure-credential', cause: err },
  );
}
