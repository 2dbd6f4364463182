/**
 * Flux for Azure DevOps in VS Code: its commands over the `flux-azdo` package. Activation only
 * registers them; the package (and its WebAssembly core) loads on the first command.
 */
import * as vscode from 'vscode';

import { bootstrapCommand } from './bootstrap-command';
import { forgetPatCommand } from './credentials';
import { explorerBootstrap } from './explorer';
import { createLog } from './log';
import { PREVIEW_SCHEME, PreviewDocuments } from './preview-documents';
import { previewCommand } from './preview-command';

export const BOOTSTRAP_COMMAND = 'fluxAzdo.bootstrap';
export const BOOTSTRAP_FOLDER_COMMAND = 'fluxAzdo.bootstrapFolder';
export const PREVIEW_COMMAND = 'fluxAzdo.previewManifests';
export const FORGET_PAT_COMMAND = 'fluxAzdo.forgetPat';

export function activate(context: vscode.ExtensionContext): void {
  const log = createLog();
  const documents = new PreviewDocuments();
  const env = { secrets: context.secrets, log, documents, workspaceState: context.workspaceState, globalState: context.globalState };
  context.subscriptions.push(
    log,
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, documents),
    vscode.commands.registerCommand(BOOTSTRAP_COMMAND, () => bootstrapCommand(env)),
    vscode.commands.registerCommand(BOOTSTRAP_FOLDER_COMMAND, (folder?: vscode.Uri) => explorerBootstrap(env, folder)),
    vscode.commands.registerCommand(PREVIEW_COMMAND, () => previewCommand(env)),
    vscode.commands.registerCommand(FORGET_PAT_COMMAND, () => forgetPatCommand({ secrets: context.secrets, index: context.globalState })),
  );
}

export function deactivate(): void {
  // Nothing to release: every disposable is in context.subscriptions.
}
