/**
 * The Personal Access Token: asked in a password box, optionally remembered in VS Code's
 * SecretStorage under the organization — never in settings, never in the log. It stays a
 * `SecretValue` from the box to the package. Which organizations have one remembered is kept
 * (names only) in globalState, since SecretStorage cannot list its keys; "Forget a Remembered
 * Token" offers those.
 */
import * as vscode from 'vscode';

import type { ErrorCode, Repo, SecretValue } from 'flux-azdo' with { 'resolution-mode': 'import' };

import type { FluxAzdoApi } from './flux';
import { inputStep, pickStep, type Outcome, type Step } from './multi-step';

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

const storageKey = (org: string) => `fluxAzdo.pat:${org}`;
const INDEX_KEY = 'fluxAzdo.rememberedPatOrganizations';

export interface PatStores {
  secrets: vscode.SecretStorage;
  /** globalState: the index of organizations with a remembered token. */
  index: vscode.Memento;
}

export const USE_STORED = 'Use the remembered token';
export const REMEMBER_IT = 'Remember it in VS Code’s secret storage';

/**
 * The token step: the remembered token (if any) or a password box, then whether to remember it.
 * One step of the flow (one number in the counter); Back inside it goes to its previous box.
 */
export function patStep(api: FluxAzdoApi, stores: PatStores, title: string, repo: () => Repo, done: (answer: PatAnswer) => void): Step {
  return {
    run: async (at) => {
      const org = organizationKey(repo());
      const stored = await stores.secrets.get(storageKey(org));
      for (let sub = stored ? 0 : 1; ; ) {
        const back = at.canGoBack || sub > (stored ? 0 : 1);
        const here = { ...at, canGoBack: back };
        if (sub === 0 && stored) {
          const picked = await pickStep(here, {
            title,
            placeHolder: `A Personal Access Token for ${org} is remembered`,
            items: [{ label: USE_STORED }, { label: 'Enter another token' }],
          });
          if ('outcome' in picked) return picked.outcome;
          if (picked.value.label === USE_STORED) {
            done({ pat: new api.SecretValue(stored), remember: false, remembered: true });
            return 'next';
          }
          sub = 1;
          continue;
        }
        const typed = await inputStep(here, {
          title,
          prompt: `Personal Access Token for ${org} with Code (Read & Write) scope`,
          password: true,
          validate: (value) => (value.trim() ? undefined : 'the token must not be empty'),
        });
        if ('outcome' in typed) {
          if (typed.outcome === 'back' && stored) {
            sub = 0;
            continue;
          }
          return typed.outcome;
        }
        const pat = new api.SecretValue(typed.value.trim());
        const remember = await pickStep(
          { ...at, canGoBack: true },
          { title, placeHolder: `Remember the token for ${org}?`, items: [{ label: REMEMBER_IT }, { label: 'Use it this time only' }] },
        );
        if ('outcome' in remember) {
          if (remember.outcome === 'back') continue;
          return remember.outcome;
        }
        done({ pat, remember: remember.value.label === REMEMBER_IT, remembered: false });
        return 'next' satisfies Outcome;
      }
    },
  };
}

/** After the command: keep a token that worked, drop a remembered one Azure DevOps refused. */
export async function settlePat(stores: PatStores, repo: Repo, answer: PatAnswer, failureCode: ErrorCode | undefined): Promise<void> {
  const org = organizationKey(repo);
  if (failureCode === undefined && answer.remember) {
    await stores.secrets.store(storageKey(org), answer.pat.expose());
    await setIndex(stores.index, [...new Set([...organizations(stores.index), org])]);
  }
  if (answer.remembered && (failureCode === 'AUTH_FAILED' || failureCode === 'SCOPE_MISSING')) await forget(stores, org);
}

function organizations(index: vscode.Memento): string[] {
  return index.get<string[]>(INDEX_KEY) ?? [];
}

function setIndex(index: vscode.Memento, orgs: string[]): Thenable<void> {
  return index.update(INDEX_KEY, orgs.sort());
}

async function forget(stores: PatStores, org: string): Promise<void> {
  await stores.secrets.delete(storageKey(org));
  await setIndex(
    stores.index,
    organizations(stores.index).filter((o) => o !== org),
  );
}

/** "Forget a Remembered Token": pick the organization, delete its token from SecretStorage. */
export async function forgetPatCommand(stores: PatStores): Promise<void> {
  const orgs = organizations(stores.index);
  if (orgs.length === 0) {
    await vscode.window.showInformationMessage('No Personal Access Token is remembered.');
    return;
  }
  const picked = await vscode.window.showQuickPick(orgs, {
    title: 'Flux for Azure DevOps: Forget a Remembered Token',
    placeHolder: 'The organization whose remembered Personal Access Token to forget',
  });
  if (picked === undefined) return;
  await forget(stores, picked);
  await vscode.window.showInformationMessage(`The Personal Access Token for ${picked} is forgotten.`);
}
