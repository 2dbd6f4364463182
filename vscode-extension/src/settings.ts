/**
 * The extension's settings (`contributes.configuration`), read fresh on every command. Their
 * defaults in package.json are Flux's, written there from the core's `defaults()` by
 * scripts/settings.mjs (and checked by the extension's tests), never typed by hand.
 */
import { isAbsolute, resolve } from 'node:path';

import * as vscode from 'vscode';

export interface Settings {
  /** Flux's manifests bundle (folder or manifests.tar.gz), absolute; undefined: download. */
  manifests: string | undefined;
  defaultPath: string;
  components: string[] | undefined;
  componentsExtra: string[];
  registry: string | undefined;
  version: string | undefined;
  timeout: string | undefined;
  /** The repository server's CA (PEM file), absolute; undefined: the system's CAs. */
  caFile: string | undefined;
}

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration('fluxAzdo');
  const text = (key: string): string | undefined => config.get<string>(key, '').trim() || undefined;
  const manifests = text('manifests');
  const caFile = text('caFile');
  const components = config.get<string[]>('components');
  return {
    manifests: manifests ? absolute(manifests) : undefined,
    defaultPath: config.get<string>('defaultPath', '').trim(),
    components: components && components.length > 0 ? components : undefined,
    componentsExtra: config.get<string[]>('componentsExtra', []),
    registry: text('registry'),
    version: text('version'),
    timeout: text('timeout'),
    caFile: caFile ? absolute(caFile) : undefined,
  };
}

/** A relative path means the first workspace folder's, the only base a user can see. */
function absolute(path: string): string {
  if (isAbsolute(path)) return path;
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? resolve(folder.uri.fsPath, path) : resolve(path);
}
