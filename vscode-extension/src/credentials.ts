/**
 * The Personal Access Token: asked in a password box, optionally remembered in VS Code's
 * SecretStorage under the organization — never in settings, never in the log. It stays a
 * `SecretValue` from the box to the package.
 */
import * as vscode from 'vscode';

import type { ErrorCode, Repo, SecretValue } from 'flux-azdo' with { 'resolution-mode': 'import' };

import type { FluxAzdoApi } from './flux';

export interface PatAnswer {
  pat: SecretValue;
  /** Store it after the command succeeds (the user asked, and the token proved to work). */
  remember: boolean;
  /** It came from SecretStorage: forget it if Azure DevOps rejects it. */
  remembered: boolean;
}

/**
 * `dev.azure.com/<organization>` (a Server: `host[:port]/<collection>`): the key a remembered
 * PAT is stored under. `repo.host` is written as `new URL(repo.httpsUrl).host` wrote it, which
 * keys stored by earlier versions were made of.
 */
export function organizationKey(repo: Repo): string {
  return repo.organization ? `${repo.host}/${repo.organization}` : repo.host;
}

const storageKey = (repo: Repo) => `fluxAzdo.pat:${organizationKey(repo)}`;

export async function askPat(api: FluxAzdoApi, secrets: vscode.SecretStorage, repo: Repo, title: string): Promise<PatAnswer | undefined> {
  const org = organizationKey(repo);
  const stored = await secrets.get(storageKey(repo));
  if (stored) {
    const useStored = 'Use the remembered token';
    const picked = await vscode.window.showQuickPick([useStored, 'Enter another token'], {
      title,
      placeHolder: `A Personal Access Token for ${org} is remembered`,
      ignoreFocusOut: true,
    });
    if (picked === undefined) return undefined;
    if (picked === useStored) return { pat: new api.SecretValue(stored), remember: false, remembered: true };
  }
  const typed = await vscode.window.showInputBox({
    title,
    prompt: `Personal Access Token for ${org} with Code (Read & Write) scope`,
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'the token must not be empty'),
  });
  if (typed === undefined) return undefined;
  const pat = new api.SecretValue(typed.trim());
  const rememberIt = 'Remember it in VS Code’s secret storage';
  const remember = await vscode.window.showQuickPick([rememberIt, 'Use it this time only'], {
    title,
    placeHolder: `Remember the token for ${org}?`,
    ignoreFocusOut: true,
  });
  if (remember === undefined) return undefined;
  return { pat, remember: remember === rememberIt, remembered: false };
}

/** After the command: keep a token that worked, drop a remembered one Azure DevOps refused. */
export async function settlePat(
  secrets: vscode.SecretStorage,
  repo: Repo,
  answer: PatAnswer,
  failureCode: ErrorCode | undefined,
): Promise<void> {
  if (failureCode === undefined && answer.remember) await secrets.store(storageKey(repo), answer.pat.expose());
  if (answer.remembered && (failureCode === 'AUTH_FAILED' || failureCode === 'SCOPE_MISSING')) await secrets.delete(storageKey(repo));
}
