/**
 * FluxBootstrap@1: `flux-azdo bootstrap git` as an Azure Pipelines task. The agent runs this
 * file with its Node 20 handler, the inputs in `INPUT_*` variables; everything it says goes to
 * the log as logging commands: a `##[group]` per bootstrap step, warnings and errors as
 * `##vso[task.logissue]`, the result as output variables and `##vso[task.complete]`.
 */
// First: takes the secret inputs before task-lib loads (see the module).
import './early-secrets.js';

import { readFileSync } from 'node:fs';

import * as tl from 'azure-pipelines-task-lib/task.js';
import { bootstrap, dryRun, FluxAzdoError, isFluxAzdoError, type BootstrapOptions, type FluxAzdoEvent } from 'flux-azdo';

import { optionsFromInputs, readAuthentication } from './read-inputs.js';

/** Prints the events as the agent shows them; counts warnings for SucceededWithIssues. */
function createRenderer(): { render: (event: FluxAzdoEvent) => void; close: () => void; warnings: () => number } {
  let open = false;
  let warnings = 0;
  const close = (): void => {
    if (open) console.log('##[endgroup]');
    open = false;
  };
  const render = (event: FluxAzdoEvent): void => {
    switch (event.type) {
      case 'step':
        close();
        console.log(`##[group]${event.step}: ${event.message}`);
        open = true;
        return;
      case 'log':
        if (event.level === 'warn') {
          warnings += 1;
          tl.warning(event.message);
        } else if (event.level === 'debug') tl.debug(event.message);
        else console.log(event.message);
        return;
      case 'error':
        // The error itself is the task's result (an error issue), printed once by setResult.
        close();
        return;
      default:
        console.log(event.message);
    }
  };
  return { render, close, warnings: () => warnings };
}

/**
 * The private key is registered with the agent's masker before flux-azdo reads it, line by
 * line: the masker matches within one line, and task-lib refuses a secret with line breaks. (The token, the PAT and the
 * passphrase are masked as soon as they are read.)
 */
function maskPrivateKey(options: BootstrapOptions): void {
  const secrets: string[] = [];
  if (options.privateKeyFile) {
    let key = '';
    try {
      key = readFileSync(options.privateKeyFile, 'utf8');
    } catch {
      throw new FluxAzdoError('USAGE', `the input privateKeyFile ${options.privateKeyFile} cannot be read; check the secure file step`, {
        option: 'private-key-file',
      });
    }
    secrets.push(...key.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('-----')));
  }
  for (const secret of secrets) if (secret !== '') tl.setSecret(secret);
}

async function run(): Promise<void> {
  const { render, close, warnings } = createRenderer();
  try {
    const auth = readAuthentication();
    // Masked first: nothing below may print before the masker knows every secret.
    for (const secret of auth.secrets) tl.setSecret(secret);
    const { options, dryRun: isDryRun } = optionsFromInputs(auth);
    maskPrivateKey(options);
    for (const warning of auth.warnings(options)) {
      tl.warning(warning);
    }
    if (isDryRun) {
      const report = await dryRun(options, { onEvent: render });
      close();
      console.log('##[group]dry run: what would change');
      for (const f of report.files) console.log(f.change === 'unchanged' ? `unchanged ${f.path}` : f.diff);
      for (const o of report.objects) console.log(`${o.change.padEnd(9)} ${o.ref}`);
      console.log(`${report.secret.change.padEnd(9)} ${report.secret.ref}`);
      console.log('##[endgroup]');
      tl.setResult(tl.TaskResult.Succeeded, 'dry run: nothing was changed');
      return;
    }
    let pullRequestUrl = '';
    const result = await bootstrap(options, {
      onEvent: (event) => {
        if (event.type === 'done' && event.step === 'pull-request' && event.url) pullRequestUrl = event.url;
        render(event);
      },
    });
    close();
    tl.setVariable('revision', result.revision, false, true);
    tl.setVariable('commits', result.commits.map((c) => c.sha).join(','), false, true);
    tl.setVariable('pullRequestUrl', pullRequestUrl, false, true);
    const pushed = result.commits.length === 0 ? 'the repository was up to date' : `pushed ${result.commits.length} commit(s)`;
    const status = warnings() + auth.warnings(options).length > 0 ? tl.TaskResult.SucceededWithIssues : tl.TaskResult.Succeeded;
    tl.setResult(status, `Flux reconciles ${result.revision}; ${pushed}`);
  } catch (err) {
    close();
    const message = isFluxAzdoError(err) ? `${err.code}: ${err.message}` : `INTERNAL: ${err instanceof Error ? err.message : String(err)}`;
    tl.setResult(tl.TaskResult.Failed, message);
    process.exitCode = 1;
  }
}

void run();
