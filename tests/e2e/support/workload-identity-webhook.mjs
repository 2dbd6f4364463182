// What the Azure workload identity webhook does to a pod, for the harness's local controllers:
// for a pod template labelled `azure.workload.identity/use: "true"` whose ServiceAccount carries
// `azure.workload.identity/client-id` (and `tenant-id`), it projects a ServiceAccount token with
// audience api://AzureADTokenExchange into a file and sets AZURE_CLIENT_ID, AZURE_TENANT_ID,
// AZURE_AUTHORITY_HOST and AZURE_FEDERATED_TOKEN_FILE. Everything is read from the cluster as
// bootstrap applied it; nothing about the identity is known here in advance.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { kubeRequest } from '../../harness/cluster.mjs';

const USE_LABEL = 'azure.workload.identity/use';
const CLIENT_ID = 'azure.workload.identity/client-id';
const TENANT_ID = 'azure.workload.identity/tenant-id';
const AUDIENCE = 'api://AzureADTokenExchange';

/**
 * A `podEnvironment` for startFluxControllers. `authorityHost`: what the webhook's configuration
 * would set (AZURE_AUTHORITY_HOST); `defaultTenantId`: the webhook's own tenant, used when the
 * ServiceAccount names none; `extraEnv`: the process's trust store and proxy (what the node's
 * network would give a pod). `minted` collects every token for the leak scan; `injected` what
 * each controller got.
 */
export function workloadIdentityWebhook(cluster, { authorityHost, defaultTenantId = '', extraEnv = {} }) {
  const minted = [];
  const injected = {};
  const podEnvironment = async ({ name, namespace, deployment, dir }) => {
    const template = deployment.spec.template;
    if (template.metadata?.labels?.[USE_LABEL] !== 'true') return {};
    const saName = template.spec.serviceAccountName ?? 'default';
    const sa = await kubeRequest(cluster.admin, 'GET', `/api/v1/namespaces/${namespace}/serviceaccounts/${saName}`);
    if (sa.status !== 200) throw new Error(`ServiceAccount ${namespace}/${saName}: HTTP ${sa.status}`);
    const annotations = sa.body.metadata.annotations ?? {};
    const clientId = annotations[CLIENT_ID];
    if (!clientId) return {}; // the webhook leaves such a pod alone
    const token = await kubeRequest(cluster.admin, 'POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${saName}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: [AUDIENCE], expirationSeconds: 3600 },
    });
    if (token.status !== 201) throw new Error(`TokenRequest for ${namespace}/${saName}: HTTP ${token.status}`);
    minted.push(token.body.status.token);
    // The projected volume: inside the controller's own directory, removed when it stops.
    const file = join(dir, 'azure-identity-token');
    writeFileSync(file, token.body.status.token, { mode: 0o600 });
    const env = {
      AZURE_CLIENT_ID: clientId,
      AZURE_TENANT_ID: annotations[TENANT_ID] ?? defaultTenantId,
      AZURE_AUTHORITY_HOST: authorityHost,
      AZURE_FEDERATED_TOKEN_FILE: file,
      ...extraEnv,
    };
    injected[name] = env;
    return env;
  };
  return { podEnvironment, minted, injected };
}
