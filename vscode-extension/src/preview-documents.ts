/**
 * Read-only documents for previews: the bootstrap files and the dry run's diff are
 * served from memory under their own scheme, so an editor cannot change or save them.
 */
import * as vscode from 'vscode';

export const PREVIEW_SCHEME = 'flux-azdo-preview';

export class PreviewDocuments implements vscode.TextDocumentContentProvider {
  readonly #contents = new Map<string, string>();
  #next = 0;

  /** A URI under a fresh folder per preview, so reopening an older preview keeps its text. */
  add(relativePath: string, content: string, folder = this.newFolder()): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${folder}/${relativePath}` });
    this.#contents.set(uri.toString(), content);
    return uri;
  }

  newFolder(): string {
    this.#next += 1;
    return `preview-${this.#next}`;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.#contents.get(uri.toString()) ?? '';
  }
}
