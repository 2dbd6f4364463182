/**
 * "Sign in with Microsoft" for an HTTPS push: VS Code's built-in Microsoft authentication
 * provider gives a session for Azure DevOps' scope, and the package pushes with its access
 * token as `Authorization: Bearer` (`azureTokenCredential`). The token lives only in memory —
 * never in settings, SecretStorage, the log or an event: VS Code keeps (and refreshes) the
 * session itself, so each token the package asks for is read from it again.
 */
import * as vscode from 'vscode';

import type { BootstrapOptions } from 'flux-azdo' with { 'resolution-mode': 'import' };

import type { FluxAzdoApi } from './flux';
import { pickStep, type Step } from './multi-step';

export type PushCredentialChoice = 'microsoft' | 'pat';
type TokenCredential = NonNullable<BootstrapOptions['azureTokenCredential']>;

export const MICROSOFT_PROVIDER = 'microsoft';
export const SIGN_IN_WITH_MICROSOFT = 'Sign in with Microsoft';
export const USE_A_PAT = 'Personal Access Token';

/**
 * The core's kind for a credential the caller hands over (`azureTokenCredential`): the core
 * applies its Entra rules (HTTPS, Azure DevOps, which cluster read) and the package uses the
 * session's credential, never one of its own.
 */
const KIND = 'external';

interface ChoiceItem extends vscode.QuickPickItem {
  choice: PushCredentialChoice;
}

/** The push credential step: Microsoft sign-in (no PAT for the push) or a PAT. */
export function pushCredentialStep(
  title: string,
  current: () => PushCredentialChoice | undefined,
  done: (choice: PushCredentialChoice) => void,
): Step {
  const items: ChoiceItem[] = [
    {
      label: SIGN_IN_WITH_MICROSOFT,
      detail: 'Push as your Microsoft account (Microsoft Entra ID): no token to create or keep',
      choice: 'microsoft',
    },
    { label: USE_A_PAT, detail: 'Push with a Personal Access Token with Code (Read & Write) scope', choice: 'pat' },
  ];
  return {
    run: async (at) => {
      const picked = await pickStep(at, {
        title,
        placeHolder: 'How flux-azdo pushes the bootstrap commits',
        items,
        active: items.find((i) => i.choice === current()),
      });
      if ('outcome' in picked) return picked.outcome;
      done(picked.value.choice);
      return 'next';
    },
  };
}

/** The plan option for a Microsoft sign-in push, so the core's rules see an Entra push. */
export function withMicrosoftPush(options: BootstrapOptions): BootstrapOptions {
  return { ...options, azureCredential: KIND };
}

/** Whether the run still needs a PAT (the cluster reads with it: token auth), as the core says. */
export function needsPatWith(api: FluxAzdoApi, options: BootstrapOptions): boolean {
  return api.pushCredentials({
    url: options.url,
    ...(options.tokenAuth ? { tokenAuth: true } : {}),
    ...(options.provider ? { provider: options.provider } : {}),
    ...(options.azureCredential ? { azureCredential: options.azureCredential } : {}),
  }).needsPat;
}

/**
 * Signs in (VS Code asks the user once; later runs reuse the session) and returns the
 * credential the package asks for tokens; undefined when the user declined.
 */
export async function microsoftCredential(api: FluxAzdoApi, options: BootstrapOptions): Promise<TokenCredential | undefined> {
  const entra = api.pushCredentials({
    url: options.url,
    ...(options.azureCredential ? { azureCredential: options.azureCredential } : {}),
  }).entra;
  if (!entra) return undefined;
  const scopes = [entra.scope];
  let session: vscode.AuthenticationSession | undefined = await vscode.authentication.getSession(MICROSOFT_PROVIDER, scopes, {
    createIfNone: true,
  });
  return {
    getToken: async () => {
      // The first token is the sign-in's; later ones (a refresh before expiry) are read again
      // from VS Code, which renews the session without asking.
      const current = session ?? (await vscode.authentication.getSession(MICROSOFT_PROVIDER, scopes, { silent: true }));
      session = undefined;
      if (!current) return null;
      return { token: current.accessToken, expiresOnTimestamp: expiryOf(current.accessToken) };
    },
  };
}

/** The JWT's `exp` (ms); a token without one is treated as short-lived so it is read again soon. */
function expiryOf(token: string): number {
  const fallback = Date.now() + 5 * 60_000;
  const payload = token.split('.')[1];
  if (!payload) return fallback;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claims === 'object' && claims !== null && 'exp' in claims && typeof claims.exp === 'number') return claims.exp * 1000;
  } catch {
    // Not a JWT: the fallback applies.
  }
  return fallback;
}
