/**
 * "Preview Bootstrap Files": the three files bootstrap would commit, as `--export` writes them (no
 * Git, no cluster, no credentials), opened read-only side by side; or, on request, the dry run
 * (`dryRun`) against the repository and the cluster, shown as a diff.
 */
import * as vscode from 'vscode';

import type { BootstrapOptions, DryRunReport } from 'flux-azdo' with { 'resolution-mode': 'import' };

import { askPat } from './credentials';
import { failureOf, reportFailure } from './errors';
import { loadFlux, type FluxAzdoApi } from './flux';
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
  let api: FluxAzdoApi | undefined;
  try {
    api = await loadFlux();
    const settings = readSettings();
    const target = await askSyncTarget(api, TITLE, settings);
    if (!target) return;
    const action = await vscode.window.showQuickPick([OPEN_FILES, COMPARE], {
      title: TITLE,
      placeHolder: 'Preview the files, or compare them with the branch and the cluster',
      ignoreFocusOut: true,
    });
    if (action === OPEN_FILES) await openFiles(api, env, optionsFor(target, settings));
    else if (action === COMPARE) await compare(api, env, target, optionsFor(target, settings));
  } catch (err) {
    await reportFailure(env.log, 'Preview', failureOf(api, err), false);
  }
}

async function openFiles(api: FluxAzdoApi, env: PreviewEnvironment, options: BootstrapOptions): Promise<void> {
  // Without a manifests setting the bundle may be downloaded first: show that something runs.
  const files = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Generating the bootstrap files' },
    async () => {
      const bundle = await api.loadBundle({ source: options.manifests, version: options.version });
      // No repository to read a kustomization.yaml from: the files `--export` writes to an empty folder.
      return api.planFiles(api.planRepository(options, bundle, null));
    },
  );
  const folder = env.documents.newFolder();
  const columns = [vscode.ViewColumn.One, vscode.ViewColumn.Two, vscode.ViewColumn.Three];
  for (const [i, file] of files.entries()) {
    const doc = await vscode.workspace.openTextDocument(env.documents.add(file.path, file.content, folder));
    await vscode.window.showTextDocument(doc, { viewColumn: columns[i] ?? vscode.ViewColumn.Beside, preview: false, preserveFocus: i > 0 });
  }
}

async function compare(api: FluxAzdoApi, env: PreviewEnvironment, target: SyncTarget, options: BootstrapOptions): Promise<void> {
  if (needsPat(api, options)) {
    const pat = await askPat(api, env.secrets, target.repo, TITLE);
    if (!pat) return;
    // A dry run proves nothing about the token's write scope: it is not remembered from here.
    options.password = pat.pat;
  }
  const kube = api.listKubeContexts();
  const context = await askKubeContext(TITLE, kube.contexts, kube.current);
  if (!context) return;
  options.context = context;
  env.log.appendLine(`Dry run of ${options.url} (branch ${target.branch}, path ${target.path || '.'}) on context ${context}`);
  const plan = await withEventProgress('Comparing with the repository and the cluster', env.log, (onEvent, signal) =>
    api.dryRun(options, { onEvent, signal }),
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
