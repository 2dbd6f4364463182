/**
 * "Bootstrap Cluster…": asks where and how, then runs the package's `bootstrap()` under a
 * cancellable progress notification, streaming its events to the output channel.
 */
import * as vscode from 'vscode';

import type { BootstrapOptions, BootstrapResult } from 'flux-azdo' with { 'resolution-mode': 'import' };

import { askPat, settlePat, type PatAnswer } from './credentials';
import { confirmDeployKey } from './deploy-key';
import { failureOf, reportFailure, SHOW_LOG } from './errors';
import { loadFlux, type FluxAzdoApi } from './flux';
import { withEventProgress } from './progress';
import { askKubeContext } from './prompts';
import { readSettings } from './settings';
import { askSyncTarget, needsPat, optionsFor, type SyncTarget } from './sync-target';

const TITLE = 'Flux for Azure DevOps: Bootstrap Cluster';

export interface CommandEnvironment {
  secrets: vscode.SecretStorage;
  log: vscode.OutputChannel;
}

interface Prepared {
  target: SyncTarget;
  options: BootstrapOptions;
  pat: PatAnswer | undefined;
}

export async function bootstrapCommand(env: CommandEnvironment): Promise<void> {
  let api: FluxAzdoApi | undefined;
  let prepared: Prepared | undefined;
  try {
    api = await loadFlux();
    prepared = await prepare(api, env);
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
    if (pat) await settlePat(env.secrets, target.repo, pat, failure.code);
    // A FluxAzdoError from bootstrap() was emitted as an `error` event, so it is in the log.
    await reportFailure(env.log, 'Bootstrap', failure, api.isFluxAzdoError(err));
    return;
  }
  if (pat) await settlePat(env.secrets, target.repo, pat, undefined);
  const choice = await vscode.window.showInformationMessage(`Flux is bootstrapped: the cluster reconciles ${result.revision}.`, SHOW_LOG);
  if (choice === SHOW_LOG) env.log.show(true);
}

async function prepare(api: FluxAzdoApi, env: CommandEnvironment): Promise<Prepared | undefined> {
  const settings = readSettings();
  const target = await askSyncTarget(api, TITLE, settings);
  if (!target) return undefined;
  const options = optionsFor(target, settings);
  let pat: PatAnswer | undefined;
  if (needsPat(api, options)) {
    pat = await askPat(api, env.secrets, target.repo, TITLE);
    if (!pat) return undefined;
    options.password = pat.pat;
  }
  const kube = api.listKubeContexts();
  const context = await askKubeContext(TITLE, kube.contexts, kube.current);
  if (!context) return undefined;
  options.context = context;
  return { target, options, pat };
}

function run(api: FluxAzdoApi, env: CommandEnvironment, options: BootstrapOptions): Thenable<BootstrapResult> {
  return withEventProgress('Bootstrapping Flux', env.log, (onEvent, signal) =>
    api.bootstrap(options, { onEvent, signal, confirmDeployKey }),
  );
}
