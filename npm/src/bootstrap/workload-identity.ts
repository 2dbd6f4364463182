/**
 * `--provider=azure` in a bootstrap or a dry run: the cluster's pre-flight for workload identity,
 * printed and emitted as one event whose fields carry the facts (issuer, webhook, subjects) and
 * the exact commands left for the user on the Azure side.
 */
import type { Plan } from '../core/node.js';
import type { EventHandler } from '../events.js';
import type { KubeClient } from '../kube/index.js';
import { checkWorkloadIdentity, type WorkloadIdentityFacts } from '../kube/workload-identity.js';

export async function workloadIdentityPreflight(
  client: KubeClient,
  plan: Plan,
  emit: EventHandler,
  signal?: AbortSignal,
): Promise<WorkloadIdentityFacts | undefined> {
  const identity = plan.workloadIdentity;
  if (!identity) return undefined;
  const facts = await checkWorkloadIdentity(client, identity, plan.repo, signal);
  for (const warning of facts.warnings) emit({ type: 'log', level: 'warn', message: warning });
  const lines = [
    `workload identity: source-controller${identity.controllers.length > 1 ? ' and the image controllers' : ''} sync as client id ${identity.clientId}`,
    `service account issuer: ${facts.issuer ?? '(not published by the cluster)'}`,
    `webhook: ${facts.webhook ?? '(not installed)'}`,
    'create the federated credentials (bash):',
    ...facts.federatedCredentialCommands.map((c) => `  ${c}`),
    `then ${facts.azureDevOpsStep}`,
  ];
  emit({ type: 'log', level: 'info', message: lines.join('\n'), workloadIdentity: facts });
  return facts;
}
