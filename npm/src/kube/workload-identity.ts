/**
 * Pre-flight for `--provider=azure`: what the cluster can tell about Azure workload identity.
 * The service account issuer (the federated credential must name it exactly) and whether the
 * workload identity webhook is installed (without it the pod label does nothing and
 * source-controller has no token to exchange). The Azure side cannot be checked from here, so
 * the facts come back with the exact commands that finish it.
 */
import type { WorkloadIdentityPlan } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { errorText, statusMessage, type KubeClient } from './client.js';

/** The webhook's configuration as the AKS add-on and the upstream Helm chart name it. */
export const WEBHOOK_CONFIGURATION = 'azure-wi-webhook-mutating-webhook-configuration';
/** The webhook's own name inside it (found under any configuration name). */
export const WEBHOOK_NAME = 'mutation.azure-workload-identity.io';

/** What the pre-flight found and what the user still has to do on the Azure side. */
export interface WorkloadIdentityFacts {
  /** The cluster's service account issuer (`issuer` of its OIDC discovery); null when unreadable. */
  issuer: string | null;
  /** The MutatingWebhookConfiguration holding the webhook; null when it is not installed. */
  webhook: string | null;
  clientId: string;
  /** The tenant used (given or discovered); empty when neither. */
  tenantId: string;
  /** `system:serviceaccount:<namespace>:<controller>`, one federated credential each. */
  subjects: string[];
  audience: string;
  /** The shell commands that create the federated credentials, in order. */
  federatedCredentialCommands: string[];
  /** The Azure DevOps step: add the identity to the organisation with read access. */
  azureDevOpsStep: string;
  /** What is missing in the cluster, with the command that fixes it. */
  warnings: string[];
}

interface OpenIdConfiguration {
  issuer?: string;
}

interface WebhookConfigurationList {
  items?: { metadata?: { name?: string }; webhooks?: { name?: string }[] }[];
}

/** The AKS command that turns on the OIDC issuer and the webhook. */
export const ENABLE_ON_AKS =
  'az aks update --resource-group <resource-group> --name <cluster> --enable-oidc-issuer --enable-workload-identity';

export async function checkWorkloadIdentity(
  client: KubeClient,
  identity: WorkloadIdentityPlan,
  repo: { organization: string; project: string },
  signal?: AbortSignal,
): Promise<WorkloadIdentityFacts> {
  const warnings: string[] = [];
  const issuer = await readIssuer(client, signal);
  if (!issuer) {
    warnings.push(
      `the cluster does not publish a service account issuer (GET /.well-known/openid-configuration); on AKS enable it: ${ENABLE_ON_AKS}`,
    );
  }
  const webhook = await findWebhook(client, signal);
  if (webhook === FORBIDDEN) {
    warnings.push(
      'these credentials may not list MutatingWebhookConfigurations, so the Azure workload identity webhook was not checked: make sure it is installed (on AKS: ' +
        ENABLE_ON_AKS +
        ')',
    );
  } else if (!webhook) {
    warnings.push(
      `the Azure workload identity webhook is not installed (no MutatingWebhookConfiguration ${WEBHOOK_CONFIGURATION} or webhook ${WEBHOOK_NAME}): ` +
        `source-controller will get no Azure token and the GitRepository will not become Ready; on AKS run: ${ENABLE_ON_AKS}`,
    );
  }
  return {
    issuer,
    webhook: webhook === FORBIDDEN ? null : webhook,
    clientId: identity.clientId,
    tenantId: identity.tenantId,
    subjects: identity.subjects,
    audience: identity.audience,
    federatedCredentialCommands: federatedCredentialCommands(identity, issuer),
    azureDevOpsStep: azureDevOpsStep(identity, repo),
    warnings,
  };
}

/**
 * The commands for the federated credentials: first find the managed identity by its client id
 * (the flag gives only that), then one credential per controller's ServiceAccount.
 */
export function federatedCredentialCommands(identity: WorkloadIdentityPlan, issuer: string | null): string[] {
  const lookup = `read -r IDENTITY_NAME RESOURCE_GROUP < <(az identity list --query "[?clientId=='${identity.clientId}'].[name,resourceGroup]" --output tsv)`;
  const create = identity.subjects.map((subject) => {
    const name = subject.split(':').slice(2).join('-');
    return [
      'az identity federated-credential create',
      `--name ${name}`,
      '--identity-name "$IDENTITY_NAME"',
      '--resource-group "$RESOURCE_GROUP"',
      `--issuer ${issuer ?? '"$(az aks show --resource-group <resource-group> --name <cluster> --query oidcIssuerProfile.issuerUrl --output tsv)"'}`,
      `--subject ${subject}`,
      `--audiences ${identity.audience}`,
    ].join(' ');
  });
  return [lookup, ...create];
}

function azureDevOpsStep(identity: WorkloadIdentityPlan, repo: { organization: string; project: string }): string {
  const pushes = identity.controllers.includes('image-automation-controller');
  return (
    `add the managed identity (client id ${identity.clientId}) to the Azure DevOps organisation ${repo.organization}: ` +
    `https://dev.azure.com/${repo.organization}/_settings/users → Add users, and to project ${repo.project}'s ` +
    `${pushes ? 'Contributors group (image-automation-controller pushes)' : 'Readers group (read access to the repository is enough)'}`
  );
}

async function readIssuer(client: KubeClient, signal?: AbortSignal): Promise<string | null> {
  try {
    const res = await client.request<OpenIdConfiguration>('GET', '/.well-known/openid-configuration', { signal, timeoutMs: 15_000 });
    if (res.status !== 200) return null;
    return typeof res.body.issuer === 'string' && res.body.issuer ? res.body.issuer : null;
  } catch (err) {
    if (signal?.aborted) throw err;
    return null;
  }
}

const FORBIDDEN = Symbol('forbidden');

async function findWebhook(client: KubeClient, signal?: AbortSignal): Promise<string | null | typeof FORBIDDEN> {
  const path = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
  let res;
  try {
    res = await client.request<WebhookConfigurationList>('GET', path, { signal, timeoutMs: 15_000 });
  } catch (err) {
    throw new FluxAzdoError('KUBE_UNREACHABLE', `could not list the MutatingWebhookConfigurations: ${errorText(err)}`);
  }
  if (res.status === 403) return FORBIDDEN;
  if (res.status !== 200) {
    throw new FluxAzdoError('KUBE_REQUEST_FAILED', `listing the MutatingWebhookConfigurations failed (${statusMessage(res)})`);
  }
  for (const item of res.body.items ?? []) {
    const name = item.metadata?.name ?? '';
    if (name === WEBHOOK_CONFIGURATION || (item.webhooks ?? []).some((w) => w.name === WEBHOOK_NAME)) return name;
  }
  return null;
}
