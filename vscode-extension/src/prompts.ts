/**
 * The questions both commands ask, as steps of one multi-step input (multi-step.ts). Each step
 * offers the remembered answer (answers.ts) or the default, and stores what the user chose in
 * the command's `Answers`.
 */
import type * as vscode from 'vscode';

import type { KubeContext, Repo } from 'flux-azdo' with { 'resolution-mode': 'import' };

import type { FluxAzdoApi } from './flux';
import { inputStep, pickStep, settle, type Step } from './multi-step';

export type AuthMethod = 'token' | 'ssh' | 'azure';

/** What the user answered so far; a step fills its field. */
export interface Answers {
  repo?: Repo;
  /** What the user typed, normalized by the core (scp-like SSH becomes `ssh://`, credentials dropped). */
  url?: string;
  branch?: string;
  path?: string;
  auth?: AuthMethod;
  /** With `auth: 'azure'`: the managed identity's client and tenant id. */
  workloadClientId?: string;
  workloadTenantId?: string;
  context?: string;
}

export function repositoryStep(api: FluxAzdoApi, title: string, answers: Answers, offered: string | undefined): Step {
  const validate = (value: string): string | undefined => {
    try {
      api.parseRepoUrl(value.trim());
      return undefined;
    } catch (err) {
      // The core's INVALID_URL message names the accepted forms: show it as is.
      return err instanceof Error ? err.message : String(err);
    }
  };
  return {
    run: async (at) =>
      settle(
        await inputStep(at, {
          title,
          prompt: 'Repository URL on Azure DevOps',
          placeHolder: 'https://dev.azure.com/<organization>/<project>/_git/<repository>',
          value: answers.url ?? offered,
          validate,
        }),
        (input) => {
          const repo = api.parseRepoUrl(input.trim());
          answers.repo = repo;
          answers.url = repo.url;
        },
      ),
  };
}

/** `fluxDefault`: Flux's branch (the core's `defaults()`), offered unless another was remembered. */
export function branchStep(title: string, answers: Answers, offered: string | undefined, fluxDefault: string): Step {
  return {
    run: async (at) =>
      settle(
        await inputStep(at, {
          title,
          prompt: 'Branch the cluster syncs',
          value: answers.branch ?? offered ?? fluxDefault,
          validate: (value) => (value.trim() ? undefined : `the branch must not be empty (Flux uses ${fluxDefault})`),
        }),
        (branch) => (answers.branch = branch.trim()),
      ),
  };
}

export function pathStep(title: string, answers: Answers, offered: string): Step {
  return {
    run: async (at) =>
      settle(
        await inputStep(at, {
          title,
          prompt: 'Path in the repository the cluster syncs (empty: the repository root)',
          placeHolder: 'clusters/my-cluster',
          value: answers.path ?? offered,
        }),
        (path) => (answers.path = path.trim()),
      ),
  };
}

interface AuthItem extends vscode.QuickPickItem {
  method: AuthMethod;
}

/** `secretName`: the Secret the cluster keeps its credentials in (Flux's default, from the core). */
export function authStep(title: string, answers: Answers, offered: AuthMethod | undefined, secretName: string): Step {
  const items: AuthItem[] = [
    {
      label: 'Personal Access Token over HTTPS',
      detail: `The cluster pulls over HTTPS with the token (kept in its ${secretName} Secret).`,
      method: 'token',
    },
    {
      label: 'SSH key',
      detail: 'The cluster pulls over SSH with a deploy key (a new RSA key you add to Azure DevOps, or the one already in the cluster).',
      method: 'ssh',
    },
    {
      label: 'Azure workload identity',
      detail: 'The cluster pulls over HTTPS as a managed identity (--provider=azure): no Secret holds a credential.',
      method: 'azure',
    },
  ];
  return {
    run: async (at) =>
      settle(
        await pickStep(at, {
          title,
          placeHolder: 'How the cluster authenticates to the repository',
          items,
          active: items.find((i) => i.method === (answers.auth ?? offered)),
        }),
        (item) => (answers.auth = item.method),
      ),
  };
}

interface ContextItem extends vscode.QuickPickItem {
  name: string;
}

export function kubeContextStep(
  title: string,
  answers: Answers,
  offered: string | undefined,
  contexts: () => { contexts: readonly KubeContext[]; current: string | undefined },
): Step {
  return {
    run: async (at) => {
      const { contexts: list, current } = contexts();
      const items: ContextItem[] = list.map((c) => ({
        label: c.name,
        description: c.name === current ? `${c.cluster} (current)` : c.cluster,
        name: c.name,
      }));
      // The current context first: the likely answer is one Enter away (or the remembered one).
      items.sort((a, b) => Number(b.name === current) - Number(a.name === current));
      const remembered = answers.context ?? offered;
      return settle(
        await pickStep(at, {
          title,
          placeHolder: 'Kubernetes context of the cluster to bootstrap',
          items,
          active: items.find((i) => i.name === remembered),
        }),
        (item) => (answers.context = item.name),
      );
    },
  };
}

export interface WorkloadIdentityAnswer {
  clientId: string;
  tenantId: string;
}

const GUID_PLACEHOLDER = '00000000-0000-0000-0000-000000000000';

/**
 * The managed identity for `--provider=azure`, two steps asked only when workload identity was
 * picked; the core checks the values (GUIDs).
 */
export function workloadIdentitySteps(title: string, answers: Answers): Step[] {
  const skip = (): boolean => answers.auth !== 'azure';
  const ask = (field: 'workloadClientId' | 'workloadTenantId', prompt: string, required: string): Step => ({
    skip,
    run: async (at) =>
      settle(
        await inputStep(at, {
          title,
          prompt,
          placeHolder: GUID_PLACEHOLDER,
          value: answers[field] ?? '',
          validate: (value) => (value.trim() ? undefined : required),
        }),
        (value) => (answers[field] = value.trim()),
      ),
  });
  return [
    ask(
      'workloadClientId',
      'Client id of the managed identity the cluster syncs as (az identity show --query clientId)',
      'the client id is required for workload identity',
    ),
    ask(
      'workloadTenantId',
      'Tenant id of the managed identity (az identity show --query tenantId)',
      'the tenant id is required for workload identity',
    ),
  ];
}
