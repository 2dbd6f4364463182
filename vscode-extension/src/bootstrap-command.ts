/**
 * "Bootstrap Cluster…": asks where and how (one multi-step input), then runs the package's
 * `bootstrap()` under a cancellable progress notification, streaming its events to the output
 * channel. Started from a folder in the Explorer, it offers that folder as the path.
 */
import * as vscode from 'vscode';

import type { BootstrapOptions, BootstrapResult } from 'flux-azdo' with { 'resolution-mode': 'import' };

import { azureRemote, firstWorkspaceFolder, rememberAnswers, rememberedAnswers, type Remembered } from './answers';
import { patStep, settlePat, type PatAnswer, type PatStores } from './credentials';
import { confirmDeployKey } from './deploy-key';
import { failureOf, reportFailure, SHOW_LOG } from './errors';
import { loadFlux, type FluxAzdoApi } from './flux';
import { runSteps } from './multi-step';
import { withEventProgress } from './progress';
import { kubeContextStep, type Answers } from './prompts';
import { readSettings } from './settings';
import { needsPat, optionsFor, syncTargetOf, syncTargetSteps, type SyncTarget } from './sync-target';

const TITLE = 'Flux for Azure DevOps: Bootstrap Cluster';

export interface CommandEnvironment {
  secrets: vscode.SecretStorage;
  log: vscode.OutputChannel;
  /** workspaceState: the last answers in this workspace. */
  workspaceState: vscode.Memento;
  /** globalState: which organizations have a remembered token. */
  globalState: vscode.Memento;
}

/** Where the command was started: the URL and path to offer instead of the remembered ones. */
export interface StartedFrom {
  url?: string;
  path?: string;
  /** The folder whose Git remote (when Azure DevOps') is offered before the remembered URL. */
  folder?: string;
}

interface Prepared {
  target: SyncTarget;
  options: BootstrapOptions;
  pat: PatAnswer | undefined;
}

export const storesOf = (env: CommandEnvironment): PatStores => ({ secrets: env.secrets, index: env.globalState });

export async function bootstrapCommand(env: CommandEnvironment, from: StartedFrom = {}): Promise<void> {
  let api: FluxAzdoApi | undefined;
  let prepared: Prepared | undefined;
  try {
    api = await loadFlux();
    prepared = await prepare(api, env, await offeredAnswers(api, env.workspaceState, from));
  } catch (err) {
    await reportFailure(env.log, 'Bootstrap', failureOf(api, err), false);
    return;
  }
  if (!prepared) return;
  const { target, options, pat } = prepared;
  env.log.appendLine(`Bootstrap of ${options.url} (branch ${target.branch}, path ${target.path || '.'}) on context ${options.context}`);

  let result: BootstrapResult;
  try {
    result = await run(api, env, options);
  } catch (err) {
    const failure = failureOf(api, err);
    if (pat) await settlePat(storesOf(env), target.repo, pat, failure.code);
    // A FluxAzdoError from bootstrap() was emitted as an `error` event, so it is in the log.
    await reportFailure(env.log, 'Bootstrap', failure, api.isFluxAzdoError(err));
    return;
  }
  if (pat) await settlePat(storesOf(env), target.repo, pat, undefined);
  const choice = await vscode.window.showInformationMessage(`Flux is bootstrapped: the cluster reconciles ${result.revision}.`, SHOW_LOG);
  if (choice === SHOW_LOG) env.log.show(true);
}

/** The remembered answers, overridden by where the command was started, the remote as fallback URL. */
export async function offeredAnswers(api: FluxAzdoApi, state: vscode.Memento, from: StartedFrom): Promise<Remembered> {
  const remembered = rememberedAnswers(state);
  // A folder picked in the Explorer names its repository; otherwise the last answer comes first.
  const folderUrl = from.folder ? await azureRemote(api, from.folder) : undefined;
  const url = from.url ?? folderUrl ?? remembered.url ?? (await azureRemote(api, firstWorkspaceFolder()));
  return { ...remembered, ...(url ? { url } : {}), ...(from.path !== undefined ? { path: from.path } : {}) };
}

async function prepare(api: FluxAzdoApi, env: CommandEnvironment, offered: Remembered): Promise<Prepared | undefined> {
  const settings = readSettings();
  const answers: Answers = {};
  let pat: PatAnswer | undefined;
  // Whether the token step is asked follows the auth answer, so it is decided as the flow goes.
  const pushesOverHttps = () => {
    const target = syncTargetOf(answers);
    return target !== undefined && needsPat(api, optionsFor(target, settings));
  };
  const steps = [
    ...syncTargetSteps(api, TITLE, settings, answers, offered),
    {
      skip: () => !pushesOverHttps(),
      ...patStep(
        api,
        storesOf(env),
        TITLE,
        () => answers.repo ?? api.parseRepoUrl(answers.url ?? ''),
        (answer) => (pat = answer),
      ),
    },
    kubeContextStep(TITLE, answers, offered.context, () => api.listKubeContexts()),
  ];
  if (!(await runSteps(steps))) return undefined;
  const target = syncTargetOf(answers);
  if (!target || !answers.context) return undefined;
  await rememberAnswers(env.workspaceState, answers);
  const options = optionsFor(target, settings);
  if (pushesOverHttps()) {
    if (!pat) return undefined;
    options.password = pat.pat;
  } else pat = undefined;
  options.context = answers.context;
  return { target, options, pat };
}

function run(api: FluxAzdoApi, env: CommandEnvironment, options: BootstrapOptions): Thenable<BootstrapResult> {
  return withEventProgress('Bootstrapping Flux', env.log, (onEvent, signal) =>
    api.bootstrap(options, { onEvent, signal, confirmDeployKey }),
  );
}
