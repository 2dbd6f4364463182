/**
 * Flux for Azure DevOps in VS Code: two commands over the `flux-azdo` package. Activation only
 * registers them; the package (and its WebAssembly core) loads on the first command.
 */
import * as vscode from 'vscode';

import { bootstrapCommand } from './bootstrap-command';
import { createLog } from './log';
import { PREVIEW_SCHEME, PreviewDocuments } from './preview-documents';
import { previewCommand } from './preview-command';

export const BOOTSTRAP_COMMAND = 'fluxAzdo.bootstrap';
export const PREVIEW_COMMAND = 'fluxAzdo.previewManifests';

export function activate(context: vscode.ExtensionContext): void {
  const log = createLog();
  const documents = new PreviewDocuments();
  const env = { secrets: context.secrets, log, documents };
  context.subscriptions.push(
    log,
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, documents),
    vscode.commands.registerCommand(BOOTSTRAP_COMMAND, () => bootstrapCommand(env)),
    vscode.commands.registerCommand(PREVIEW_COMMAND, () => previewCommand(env)),
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
