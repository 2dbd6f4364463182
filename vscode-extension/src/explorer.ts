/**
 * "Bootstrap Cluster From This Folder…" in the Explorer's context menu: the folder's repository
 * (its Azure DevOps remote) and its path in that repository are offered as the answers.
 */
import { relative, sep } from 'node:path';

import type * as vscode from 'vscode';

import { gitTopLevel } from './answers';
import { bootstrapCommand, type CommandEnvironment } from './bootstrap-command';

export async function explorerBootstrap(env: CommandEnvironment, folder: vscode.Uri | undefined): Promise<void> {
  if (!folder || folder.scheme !== 'file') return bootstrapCommand(env);
  const top = await gitTopLevel(folder.fsPath);
  // Outside a Git work tree the folder says nothing about the repository: ask as usual.
  if (!top) return bootstrapCommand(env);
  const path = relative(top, folder.fsPath).split(sep).join('/');
  return bootstrapCommand(env, { folder: folder.fsPath, path });
}
