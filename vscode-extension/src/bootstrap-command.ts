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
import { microsoftCredential, needsPatWith, pushCredentialStep, withMicrosoftPush, type PushCredentialChoice } from './microsoft-sign-in';
import { runSteps } from './multi-step';
import { withEventProgress } from './progress';
import { kubeContextStep, type Answers } from './prompts';
import { offerPullRequest, PULL_REQUEST_INSTEAD, PullRequestWatch } from './pull-request';
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
  const { target, options } = prepared;
  env.log.appendLine(`Bootstrap of ${options.url} (branch ${target.branch}, path ${target.path || '.'}) on context ${options.context}`);
  await runAndReport(api, env, prepared, options);
}

/**
 * Runs the bootstrap and reports how it ended. A push the branch's policies refused
 * (BRANCH_PROTECTED) is offered again as a pull request: the same options with `pullRequest`.
 */
async function runAndReport(api: FluxAzdoApi, env: CommandEnvironment, prepared: Prepared, options: BootstrapOptions): Promise<void> {
  const { target, pat } = prepared;
  const watch = new PullRequestWatch();
  let result: BootstrapResult;
  try {
    result = await run(api, env, options, watch);
  } catch (err) {
    const failure = failureOf(api, err);
    if (pat) await settlePat(storesOf(env), target.repo, pat, failure.code);
    const offerPr = failure.code === 'BRANCH_PROTECTED' && !options.pullRequest;
    // A FluxAzdoError from bootstrap() was emitted as an `error` event, so it is in the log.
    const choice = await reportFailure(env.log, 'Bootstrap', failure, api.isFluxAzdoError(err), ...(offerPr ? [PULL_REQUEST_INSTEAD] : []));
    if (offerPr && choice === PULL_REQUEST_INSTEAD) {
      env.log.appendLine(`Bootstrap of ${options.url} through a pull request into ${target.branch}`);
      await runAndReport(api, env, prepared, { ...options, pullRequest: true });
    }
    return;
  }
  if (pat) await settlePat(storesOf(env), target.repo, pat, undefined);
  const text = `Flux is bootstrapped: the cluster reconciles ${result.revision}.`;
  const choice = watch.link
    ? await offerPullRequest(`${text} Pull request ${watch.link.id}: ${watch.link.url}`, watch.link, SHOW_LOG)
    : await vscode.window.showInformationMessage(text, SHOW_LOG);
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
  let push: PushCredentialChoice | undefined;
  // Whether the push and token steps are asked follows the auth answer, so it is decided as the flow goes.
  const pushesOverHttps = () => {
    const target = syncTargetOf(answers);
    return target !== undefined && needsPat(api, optionsFor(target, settings));
  };
  const planned = (): BootstrapOptions | undefined => {
    const target = syncTargetOf(answers);
    if (!target) return undefined;
    const options = optionsFor(target, settings);
    return pushesOverHttps() && push === 'microsoft' ? withMicrosoftPush(options) : options;
  };
  // With Microsoft sign-in the core decides whether a PAT is still needed (the cluster reading with it).
  const asksPat = () => {
    const options = planned();
    return options !== undefined && pushesOverHttps() && (push !== 'microsoft' || needsPatWith(api, options));
  };
  const steps = [
    ...syncTargetSteps(api, TITLE, settings, answers, offered),
    {
      skip: () => !pushesOverHttps(),
      ...pushCredentialStep(
        TITLE,
        () => push,
        (choice) => (push = choice),
      ),
    },
    {
      skip: () => !asksPat(),
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
  const options = planned();
  if (!target || !options || !answers.context) return undefined;
  await rememberAnswers(env.workspaceState, answers);
  if (asksPat()) {
    if (!pat) return undefined;
    options.password = pat.pat;
  } else pat = undefined;
  if (options.azureCredential) {
    const credential = await microsoftCredential(api, options);
    if (!credential) return undefined;
    options.azureTokenCredential = credential;
  }
  options.context = answers.context;
  return { target, options, pat };
}

function run(api: FluxAzdoApi, env: CommandEnvironment, options: BootstrapOptions, watch: PullRequestWatch): Thenable<BootstrapResult> {
  return withEventProgress('Bootstrapping Flux', env.log, (onEvent, signal) =>
    api.bootstrap(options, {
      onEvent: (event) => {
        onEvent(event);
        watch.onEvent(event);
      },
      signal,
      confirmDeployKey,
    }),
  );
}
