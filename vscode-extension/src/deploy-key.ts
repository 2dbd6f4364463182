/**
 * The deploy key pause: bootstrap made a new key, and the cluster (or the push) can only use it
 * once it is added to Azure DevOps. A modal shows the public half; its buttons copy it or open
 * the SSH keys page and show the modal again, until "I Added It" or Cancel.
 */
import * as vscode from 'vscode';

import type { DeployKeyPrompt } from 'flux-azdo' with { 'resolution-mode': 'import' };

export const COPY_PUBLIC_KEY = 'Copy Public Key';
export const OPEN_SSH_KEYS = 'Open Azure DevOps SSH Keys';
export const KEY_ADDED = 'I Added It';

export async function confirmDeployKey(prompt: DeployKeyPrompt): Promise<boolean> {
  const buttons = [COPY_PUBLIC_KEY, ...(prompt.addKeyUrl ? [OPEN_SSH_KEYS] : []), KEY_ADDED];
  const detail = [
    prompt.publicKey.trim(),
    '',
    `Fingerprint: ${prompt.fingerprint}`,
    prompt.addKeyUrl ? `Add it under SSH public keys: ${prompt.addKeyUrl}` : 'Add it as an SSH key that can read the repository.',
  ].join('\n');
  for (;;) {
    const choice = await vscode.window.showInformationMessage(
      'Add the new deploy key to Azure DevOps, then continue.',
      { modal: true, detail },
      ...buttons,
    );
    if (choice === COPY_PUBLIC_KEY) await vscode.env.clipboard.writeText(prompt.publicKey.trim());
    else if (choice === OPEN_SSH_KEYS && prompt.addKeyUrl) await vscode.env.openExternal(vscode.Uri.parse(prompt.addKeyUrl));
    else return choice === KEY_ADDED;
  }
}
