/**
 * "Preview Bootstrap Files": the three files bootstrap would commit, as `--export` writes them (no
 * Git, no cluster, no credentials), opened read-only side by side; or, on request, the dry run
 * (`dryRun`) against the repository and the cluster, shown as a diff.
 */
import * as vscode from 'vscode';

import type { BootstrapOptions, DryRunReport } from 'flux-azdo' with { 'resolution-mode': 'import' };

import { rememberAnswers } from './answers';
import { offeredAnswers, storesOf, type CommandEnvironment } from './bootstrap-command';
import { patStep } from './credentials';
import { failureOf, reportFailure } from './errors';
import { loadFlux, type FluxAzdoApi } from './flux';
import { pickStep, runSteps, settle, type Step } from './multi-step';
import type { PreviewDocuments } from './preview-documents';
import { withEventProgress } from './progress';
import { kubeContextStep, type Answers } from './prompts';
import { readSettings } from './settings';
import { needsPat, optionsFor, syncTargetOf, syncTargetSteps, type SyncTarget } from './sync-target';

const TITLE = 'Flux for Azure DevOps: Preview Bootstrap Files';
export const OPEN_FILES = 'Open the files';
export const COMPARE = 'Compare with repository and cluster';

export interface PreviewEnvironment extends CommandEnvironment {
  documents: PreviewDocuments;
}

export async function previewCommand(env: PreviewEnvironment): Promise<void> {
  let api: FluxAzdoApi | undefined;
  try {
    api = await loadFlux();
    const flux = api;
    const settings = readSettings();
    const offered = await offeredAnswers(flux, env.workspaceState, {});
    const answers: Answers = {};
    let action: string | undefined;
    let hasPat = false;
    let pat: BootstrapOptions['password'];
    const comparing = () => action === COMPARE;
    const steps: Step[] = [
      ...syncTargetSteps(flux, TITLE, settings, answers, offered),
      {
        run: async (at) =>
          settle(
            await pickStep(at, {
              title: TITLE,
              placeHolder: 'Preview the files, or compare them with the branch and the cluster',
              items: [{ label: OPEN_FILES }, { label: COMPARE }],
            }),
            (item) => (action = item.label),
          ),
      },
      {
        skip: () => {
          const target = syncTargetOf(answers);
          return !comparing() || !target || !needsPat(flux, optionsFor(target, settings));
        },
        // A dry run proves nothing about the token's write scope: it is never remembered from here.
        ...patStep(
          flux,
          storesOf(env),
          TITLE,
          () => answers.repo ?? flux.parseRepoUrl(answers.url ?? ''),
          (answer) => {
            hasPat = true;
            pat = answer.pat;
          },
        ),
      },
      { skip: () => !comparing(), ...kubeContextStep(TITLE, answers, offered.context, () => flux.listKubeContexts()) },
    ];
    if (!(await runSteps(steps))) return;
    const target = syncTargetOf(answers);
    if (!target) return;
    await rememberAnswers(env.workspaceState, answers);
    const options = optionsFor(target, settings);
    if (action === OPEN_FILES) await openFiles(flux, env, options);
    else if (action === COMPARE && answers.context) {
      if (needsPat(flux, options)) {
        if (!hasPat) return;
        options.password = pat;
      }
      options.context = answers.context;
      await compare(flux, env, target, options);
    }
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
  const context = options.context;
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
