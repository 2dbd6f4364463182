/** The extension's settings (`contributes.configuration`), read fresh on every command. */
import { isAbsolute, resolve } from 'node:path';

import * as vscode from 'vscode';

export interface Settings {
  /** Flux's manifests bundle (folder or manifests.tar.gz), absolute; undefined: download. */
  manifests: string | undefined;
  defaultPath: string;
  componentsExtra: string[];
  /** The repository server's CA (PEM file), absolute; undefined: the system's CAs. */
  caFile: string | undefined;
}

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration('fluxAzdo');
  const manifests = config.get<string>('manifests', '').trim();
  const caFile = config.get<string>('caFile', '').trim();
  return {
    manifests: manifests ? absolute(manifests) : undefined,
    defaultPath: config.get<string>('defaultPath', '').trim(),
    componentsExtra: config.get<string[]>('componentsExtra', []),
    caFile: caFile ? absolute(caFile) : undefined,
  };
}

/** A relative path means the first workspace folder's, the only base a user can see. */
function absolute(path: string): string {
  if (isAbsolute(path)) return path;
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? resolve(folder.uri.fsPath, path) : resolve(path);
}
