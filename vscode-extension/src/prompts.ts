/**
 * The questions both commands ask. Each returns undefined when the user presses Escape, which
 * ends the command quietly.
 */
import * as vscode from 'vscode';

import type { KubeContext, Repo } from 'flux-azdo' with { 'resolution-mode': 'import' };

import type { FluxAzdoApi } from './flux';

export type AuthMethod = 'token' | 'ssh';

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
