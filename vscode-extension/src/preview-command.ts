/**
 * "Preview Bootstrap Files": the three files bootstrap would commit, from `exportFiles` (no Git,
 * no cluster, no credentials), opened read-only side by side; or, on request, the dry run
 * (`dryRun`) against the repository and the cluster, shown as a diff.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as vscode from 'vscode';

import type { BootstrapOptions, DryRunReport } from 'flux-azdo' with { 'resolution-mode': 'import' };

import { askPat } from './credentials';
import { failureOf, reportFailure } from './errors';
import { loadFlux, type Flux } from './flux';
import { readKubeContexts } from './kube-contexts';
import type { PreviewDocuments } from './preview-documents';
import { withEventProgress } from './progress';
import { askKubeContext } from './prompts';
import { readSettings } from './settings';
import { askSyncTarget, needsPat, optionsFor, type SyncTarget } from './sync-target';

const TITLE = 'Flux for Azure DevOps: Preview Bootstrap Files';
export const OPEN_FILES = 'Open the files';
export const COMPARE = 'Compare with repository and cluster';

export interface PreviewEnvironment {
  secrets: vscode.SecretStorage;
  log: vscode.OutputChannel;
  documents: PreviewDocuments;
}

export async function previewCommand(env: PreviewEnvironment): Promise<void> {
  let flux: Flux | undefined;
  try {
    flux = await loadFlux();
    const settings = readSettings();
    const target = await askSyncTarget(flux, TITLE, settings);
    if (!target) return;
    const action = await vscode.window.showQuickPick([OPEN_FILES, COMPARE], { title: TITLE, placeHolder: 'Preview the files, or compare them with the branch and the cluster', ignoreFocusOut: true });
    if (action === OPEN_FILES) await openFiles(flux, env, optionsFor(target, settings));
    else if (action === COMPARE) await compare(flux, env, target, optionsFor(target, settings));
  } catch (err) {
    await reportFailure(env.log, 'Preview', failureOf(flux?.api, err), false);
  }
}

async function openFiles(flux: Flux, env: PreviewEnvironment, options: BootstrapOptions): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-azdo-preview-'));
  try {
    // Without a manifests setting the bundle may be downloaded first: show that something runs.
    const { files } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Generating the bootstrap files' }, () =>
      flux.api.exportFiles({ ...options, dir }),
    );
    const folder = env.documents.newFolder();
    const columns = [vscode.ViewColumn.One, vscode.ViewColumn.Two, vscode.ViewColumn.Three];
    for (const [i, file] of files.entries()) {
      // What exportFiles wrote, byte for byte, is what the editor shows.
      const content = await readFile(join(dir, file.path), 'utf8');
      const doc = await vscode.workspace.openTextDocument(env.documents.add(file.path, content, folder));
      await vscode.window.showTextDocument(doc, { viewColumn: columns[i] ?? vscode.ViewColumn.Beside, preview: false, preserveFocus: i > 0 });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function compare(flux: Flux, env: PreviewEnvironment, target: SyncTarget, options: BootstrapOptions): Promise<void> {
  if (needsPat(options)) {
    const pat = await askPat(flux.api, env.secrets, target.repo, TITLE);
    if (!pat) return;
    // A dry run proves nothing about the token's write scope: it is not remembered from here.
    options.password = pat.pat;
  }
  const kube = await readKubeContexts(flux.api);
  const context = await askKubeContext(TITLE, kube.contexts, kube.current);
  if (!context) return;
  options.context = context;
  env.log.appendLine(`Dry run of ${options.url} (branch ${target.branch}, path ${target.path || '.'}) on context ${context}`);
  const plan = await withEventProgress('Comparing with the repository and the cluster', env.log, (onEvent, signal) =>
    flux.api.dryRun(options, { onEvent, signal }),
  );
  const doc = await vscode.workspace.openTextDocument(env.documents.add('bootstrap-plan.diff', renderPlan(plan)));
  await vscode.window.showTextDocument(doc, { preview: false });
}

/** The dry run as one diff document: the files' unified diffs, then the cluster's objects. */
export function renderPlan(plan: DryRunReport): string {
  const lines: string[] = [];
  for (const file of plan.files) {
    lines.push(`# ${file.path}: ${file.change}`);
    if (file.diff) lines.push(file.diff.trimEnd());
  }
  lines.push('', '# cluster objects');
  for (const object of plan.objects) lines.push(`#   ${object.change.padEnd(9)} ${object.ref}`);
  lines.push(`#   ${plan.secret.change.padEnd(9)} ${plan.secret.ref}`);
  return `${lines.join('\n')}\n`;
}
