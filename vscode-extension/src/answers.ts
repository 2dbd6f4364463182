/**
 * What the questions offer first: the answers last given in this workspace (workspaceState,
 * never a secret: the URL is the core's normalized form, which drops credentials), else the
 * workspace's own Git remote when the core recognises it as an Azure DevOps repository.
 */
import { execFile } from 'node:child_process';

import * as vscode from 'vscode';

import type { FluxAzdoApi } from './flux';
import type { Answers, AuthMethod } from './prompts';

const KEY = 'fluxAzdo.lastAnswers';

export interface Remembered {
  url?: string;
  branch?: string;
  path?: string;
  auth?: AuthMethod;
  context?: string;
}

export function rememberedAnswers(state: vscode.Memento): Remembered {
  return state.get<Remembered>(KEY) ?? {};
}

export async function rememberAnswers(state: vscode.Memento, answers: Answers): Promise<void> {
  const { url, branch, path, auth, context } = answers;
  await state.update(KEY, { ...rememberedAnswers(state), url, branch, path, auth, ...(context ? { context } : {}) });
}

/** `git config remote.origin.url` of a folder, or undefined (not a repository, no remote, no git). */
export function gitRemote(folder: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['-C', folder, 'config', '--get', 'remote.origin.url'], { timeout: 5000 }, (err, stdout) =>
      resolve(err ? undefined : stdout.trim() || undefined),
    );
  });
}

/** The top of the Git work tree holding `folder`, or undefined. */
export function gitTopLevel(folder: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['-C', folder, 'rev-parse', '--show-toplevel'], { timeout: 5000 }, (err, stdout) =>
      resolve(err ? undefined : stdout.trim() || undefined),
    );
  });
}

/** The remote's URL as the core normalizes it (credentials dropped) when it is Azure DevOps'. */
export async function azureRemote(api: FluxAzdoApi, folder: string | undefined): Promise<string | undefined> {
  if (!folder) return undefined;
  const remote = await gitRemote(folder);
  if (!remote) return undefined;
  try {
    const repo = api.parseRepoUrl(remote);
    // Another Git host (GitHub, a plain server): nothing to offer.
    return repo.kind === 'generic' ? undefined : repo.url;
  } catch {
    return undefined;
  }
}

export function firstWorkspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}
