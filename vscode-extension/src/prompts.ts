/**
 * The questions both commands ask. Each returns undefined when the user presses Escape, which
 * ends the command quietly.
 */
import * as vscode from 'vscode';

import type { KubeContext, Repo } from 'flux-azdo' with { 'resolution-mode': 'import' };

import type { FluxAzdoApi } from './flux';

export type AuthMethod = 'token' | 'ssh' | 'azure';

export interface RepositoryAnswer {
  repo: Repo;
  /** What the user typed, normalized by the core (scp-like SSH becomes `ssh://`). */
  url: string;
}

export async function askRepository(api: FluxAzdoApi, title: string): Promise<RepositoryAnswer | undefined> {
  const validate = (value: string): string | undefined => {
    try {
      api.parseRepoUrl(value.trim());
      return undefined;
    } catch (err) {
      // The core's INVALID_URL message names the accepted forms: show it as is.
      return err instanceof Error ? err.message : String(err);
    }
  };
  const input = await vscode.window.showInputBox({
    title,
    prompt: 'Repository URL on Azure DevOps',
    placeHolder: 'https://dev.azure.com/<organization>/<project>/_git/<repository>',
    ignoreFocusOut: true,
    validateInput: validate,
  });
  if (input === undefined) return undefined;
  const repo = api.parseRepoUrl(input.trim());
  return { repo, url: repo.url };
}

/** `fluxDefault`: Flux's branch (the core's `defaults()`), the answer offered. */
export async function askBranch(title: string, fluxDefault: string): Promise<string | undefined> {
  const branch = await vscode.window.showInputBox({
    title,
    prompt: 'Branch the cluster syncs',
    value: fluxDefault,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : `the branch must not be empty (Flux uses ${fluxDefault})`),
  });
  return branch?.trim();
}

export async function askPath(title: string, defaultPath: string): Promise<string | undefined> {
  const path = await vscode.window.showInputBox({
    title,
    prompt: 'Path in the repository the cluster syncs (empty: the repository root)',
    placeHolder: 'clusters/my-cluster',
    value: defaultPath,
    ignoreFocusOut: true,
  });
  return path?.trim();
}

interface AuthItem extends vscode.QuickPickItem {
  method: AuthMethod;
}

/** `secretName`: the Secret the cluster keeps its credentials in (Flux's default, from the core). */
export async function askAuth(title: string, secretName: string): Promise<AuthMethod | undefined> {
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
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'How the cluster authenticates to the repository',
    ignoreFocusOut: true,
  });
  return picked?.method;
}

interface ContextItem extends vscode.QuickPickItem {
  name: string;
}

export async function askKubeContext(
  title: string,
  contexts: readonly KubeContext[],
  current: string | undefined,
): Promise<string | undefined> {
  const items: ContextItem[] = contexts.map((c) => ({
    label: c.name,
    description: c.name === current ? `${c.cluster} (current)` : c.cluster,
    name: c.name,
  }));
  // The current context first: the likely answer is one Enter away.
  items.sort((a, b) => Number(b.name === current) - Number(a.name === current));
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Kubernetes context of the cluster to bootstrap',
    ignoreFocusOut: true,
  });
  return picked?.name;
}

export interface WorkloadIdentityAnswer {
  clientId: string;
  tenantId: string;
}

/** The managed identity for `--provider=azure`; the core checks the values (GUIDs). */
export async function askWorkloadIdentity(title: string): Promise<WorkloadIdentityAnswer | undefined> {
  const clientId = await vscode.window.showInputBox({
    title,
    prompt: 'Client id of the managed identity the cluster syncs as (az identity show --query clientId)',
    placeHolder: '00000000-0000-0000-0000-000000000000',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'the client id is required for workload identity'),
  });
  if (clientId === undefined) return undefined;
  const tenantId = await vscode.window.showInputBox({
    title,
    prompt: "Tenant id of the managed identity (az identity show --query tenantId)",
    placeHolder: '00000000-0000-0000-0000-000000000000',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'the tenant id is required for workload identity'),
  });
  if (tenantId === undefined) return undefined;
  return { clientId: clientId.trim(), tenantId: tenantId.trim() };
}
