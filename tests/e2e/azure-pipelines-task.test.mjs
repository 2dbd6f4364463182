// FluxBootstrap@1 run as the agent runs it: `node FluxBootstrap/js/main.js` from the built task
// (azure-pipelines-task/dist, scripts/bundle.mjs), inputs as INPUT_* variables, the pipeline's
// variables (SYSTEM_ACCESSTOKEN, AGENT_TEMPDIRECTORY, …) in the environment, against the
// Azure-DevOps-like HTTPS Git server and a real kube-apiserver. Its stdout is parsed as the agent
// parses it: every secret is registered with ##vso[task.setsecret] before it could appear
// anywhere else, warnings and errors are issues, the result is output variables and
// ##vso[task.complete]. Bad inputs fail the task with the typed error and change nothing.
// Then the .vsix (tfx-cli) is opened and checked.
//
// Flux's real controllers (support/controller-pool.mjs) start from the Deployments the task
// applied, at the task's own `##[group]health` line, and write the Ready status it waits for.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { bootstrapGitFlags, globalFlags, installFlags } from '../../npm/dist/cli/flags.js';
import { defaults } from '../../npm/dist/index.js';
import { kubeRequest, startCluster } from '../harness/cluster.mjs';
import { startGitHttpsServer } from '../servers/git-https.mjs';
import { bundleDir, repoRoot } from './support/bootstrap-env.mjs';
import { controllerPool } from './support/controller-pool.mjs';
import { fakePat, remoteLog, remoteTip } from './support/git-fixtures.mjs';
import { assertNoLeaks, leftoverTempEntries } from './support/leak-scan.mjs';

const taskRoot = join(repoRoot, 'azure-pipelines-task');
const entry = join(taskRoot, 'dist', 'FluxBootstrap', 'js', 'main.js');
const COMPONENTS = ['source-controller', 'kustomize-controller'];

const pat = fakePat('pat');
const accessToken = fakePat('systoken');
let git;
let cluster;
let controllers;
let work;
let count = 0;

before(async () => {
  assert.ok(existsSync(entry), `build the task first: npm run build -w flux-azdo-azure-pipelines-task (${entry})`);
  // The job token and a PAT both work on the server (Azure DevOps takes either over basic auth).
  [git, cluster] = await Promise.all([startGitHttpsServer({ pat: accessToken, readOnlyPat: undefined }), startCluster()]);
  controllers = controllerPool(cluster);
  work = mkdtempSync(join(tmpdir(), 'flux-azdo-task-e2e-'));
});

after(async () => {
  await controllers?.stopAll();
  await Promise.allSettled([git?.stop(), cluster?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

function newRepo() {
  count += 1;
  const name = `task-${count}`;
  return { name, bare: git.createRepo('org', 'project', name), url: git.repoUrl('org', 'project', name) };
}

/**
 * Runs the task's entry as the agent does: a clean environment with the agent's variables and
 * the inputs. `onLine` sees stdout lines as they come. Resolves the parsed output.
 */
function runTask(inputs, { env = {}, onLine } = {}) {
  const tmp = mkdtempSync(join(work, 'agent-tmp-'));
  const agentEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: tmp,
    AGENT_TEMPDIRECTORY: tmp,
    AGENT_VERSION: '4.260.0',
    AGENT_JOBNAME: 'Bootstrap c1',
    SYSTEM_DEFAULTWORKINGDIRECTORY: work,
    BUILD_SOURCESDIRECTORY: work,
    SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/org/',
    SYSTEM_TEAMPROJECT: 'project',
    ...env,
  };
  for (const [name, value] of Object.entries(inputs)) agentEnv[`INPUT_${name.toUpperCase()}`] = String(value);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry], { env: agentEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) onLine?.(line);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, tmp, ...parseAgentOutput(stdout) }));
  });
}

/** The logging commands the agent acts on. */
function parseAgentOutput(stdout) {
  const lines = stdout.split('\n');
  const command = (line) => /^##vso\[([\w.]+)(?: ([^\]]*))?\](.*)$/.exec(line);
  const props = (text = '') =>
    Object.fromEntries(
      text
        .split(';')
        .filter(Boolean)
        .map((kv) => kv.split('=')),
    );
  const out = { lines, secrets: [], issues: [], outputs: {}, complete: undefined, groups: [] };
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('##[group]')) out.groups.push({ open: i, name: line.slice('##[group]'.length) });
    if (line === '##[endgroup]') {
      const last = out.groups.findLast((g) => g.close === undefined);
      if (last) last.close = i;
    }
    const m = command(line);
    if (!m) continue;
    const [, name, p, value] = m;
    // task-lib writes `task.issue`, the agent's alias of `task.logissue`.
    if (name === 'task.setsecret') out.secrets.push({ line: i, value });
    else if (name === 'task.issue' || name === 'task.logissue') out.issues.push({ ...props(p), message: value });
    else if (name === 'task.setvariable') {
      const v = props(p);
      out.outputs[v.variable] = { value, isOutput: v.isOutput === 'true', issecret: v.issecret === 'true' };
    } else if (name === 'task.complete') out.complete = { ...props(p), message: value };
  }
  return out;
}

/** The log as the agent shows it: the setsecret commands are consumed, not shown. */
function shownLog(run) {
  return run.lines.filter((line) => !line.startsWith('##vso[task.setsecret]')).join('\n');
}

/** The secret appears on no line but its own setsecret line, which comes before any use. */
function assertMasked(run, secret) {
  const registered = run.secrets.find((s) => s.value === secret);
  assert.ok(registered, 'the secret was registered with ##vso[task.setsecret]');
  const seenOn = run.lines.flatMap((line, i) => (line.includes(secret) ? [i] : []));
  assert.deepEqual(seenOn, [registered.line], 'nowhere else in the output');
  assert.ok(!run.stderr.includes(secret));
}

const CONNECTION = '8c1e6d52-0000-4000-8000-0000000000aa';
/** A service connection as the agent hands it to a task: ENDPOINT_* variables. */
const endpoint = (scheme) => ({
  [`ENDPOINT_URL_${CONNECTION}`]: 'https://management.azure.com/',
  [`ENDPOINT_AUTH_SCHEME_${CONNECTION}`]: scheme,
  [`ENDPOINT_AUTH_PARAMETER_${CONNECTION}_SERVICEPRINCIPALID`]: '0f0e0d0c-0000-4000-8000-000000000001',
  [`ENDPOINT_AUTH_PARAMETER_${CONNECTION}_TENANTID`]: '72f988bf-0000-4000-8000-000000000002',
});

const baseInputs = (url, name) => ({
  url,
  path: `clusters/${name}`,
  namespace: name,
  components: COMPONENTS.join(','),
  caFile: git.caFile,
  kubeconfig: cluster.kubeconfigPath,
  manifests: bundleDir,
  timeout: '5m',
});

/** The controllers of `namespace` start at the task's own health group line. */
function standIn(namespace) {
  const watch = controllers.watch(namespace);
  return {
    onLine: (line) => {
      const m = /^##\[group\]health: waiting for Flux to reconcile (\S+)$/.exec(line);
      if (m) watch.onEvent({ type: 'step', step: 'health', revision: m[1] });
    },
    settled: watch.settled,
  };
}

async function namespaceExists(name) {
  const res = await kubeRequest(cluster.admin, 'GET', `/api/v1/namespaces/${name}`);
  return res.status === 200;
}

test('System.AccessToken: bootstraps, masks the token first, groups the steps, sets the output variables', async () => {
  const { name, bare, url } = newRepo();
  const stand = standIn(name);
  const run = await runTask(
    { ...baseInputs(url, name), authentication: 'systemAccessToken', tokenAuth: 'true' },
    { env: { SYSTEM_ACCESSTOKEN: accessToken }, onLine: stand.onLine },
  );
  await stand.settled();
  assert.equal(run.complete?.result, 'SucceededWithIssues', `${run.complete?.message}\n${run.stdout.slice(-3000)}\n${run.stderr}`);
  assert.equal(run.code, 0);
  assertMasked(run, accessToken);
  // The token that expires with the job went into the cluster: a warning issue says so.
  assert.ok(
    run.issues.some((i) => i.type === 'warning' && /expires/.test(i.message)),
    JSON.stringify(run.issues),
  );
  assert.ok(!run.issues.some((i) => i.type === 'error'));
  // One group per bootstrap step, each closed before the next opens.
  const steps = run.groups.map((g) => g.name.split(':')[0]);
  assert.deepEqual(steps, ['preflight', 'clone', 'components', 'install', 'secret', 'sync', 'apply', 'health']);
  for (const [i, g] of run.groups.entries()) {
    assert.ok(g.close > g.open, `group ${g.name} closed`);
    if (i > 0) assert.ok(g.open > run.groups[i - 1].close);
  }
  // Output variables: the revision holding the sync commit, the commits pushed.
  const tip = await remoteTip(bare);
  assert.deepEqual(run.outputs.revision, { value: `main@sha1:${tip}`, isOutput: true, issecret: false });
  const log = await remoteLog(bare);
  assert.deepEqual(run.outputs.commits.value.split(','), [log[1].sha, log[0].sha]);
  assert.equal(run.outputs.pullRequestUrl.value, '');
  assert.deepEqual(leftoverTempEntries(run.tmp), []);
  await assertNoLeaks({ pats: [accessToken] }, { values: [shownLog(run), run.stderr], repos: [bare], tmpDirs: [run.tmp] });
});

test('a PAT secret variable: masked before first use; a re-run is up to date and sets no commits', async () => {
  const { name, bare, url } = newRepo();
  // The server takes the job token only; this PAT is the same value under another input.
  const inputs = { ...baseInputs(url, name), authentication: 'personalAccessToken', personalAccessToken: accessToken, tokenAuth: 'true' };
  const first = standIn(name);
  const run = await runTask(inputs, { onLine: first.onLine });
  await first.settled();
  assert.equal(run.complete?.result, 'Succeeded', `${run.complete?.message}\n${run.stdout.slice(-2000)}`);
  assertMasked(run, accessToken);
  const again = standIn(name);
  const rerun = await runTask(inputs, { onLine: again.onLine });
  await again.settled();
  assert.equal(rerun.complete?.result, 'Succeeded', rerun.complete?.message);
  assert.equal(rerun.outputs.commits.value, '');
  assert.equal(rerun.outputs.revision.value, `main@sha1:${await remoteTip(bare)}`);
});

test('bad inputs fail the task with the typed error, before anything is changed', async (t) => {
  const token = { SYSTEM_ACCESSTOKEN: accessToken };
  const cases = [
    ['a push retry count that is not a number', { pushRetries: 'many' }, token, 'USAGE'],
    ['a boolean that is not one', { tokenAuth: 'yes' }, token, 'USAGE'],
    ['a kubeconfig that does not exist', { kubeconfig: join(work, 'missing.kubeconfig') }, token, 'USAGE'],
    ['no System.AccessToken mapped', { authentication: 'systemAccessToken' }, {}, 'USAGE'],
    ['workload identity without a service connection', { authentication: 'azurePipelines' }, token, 'USAGE'],
    [
      'a service connection that is not workload identity federation',
      { authentication: 'azurePipelines', azureSubscription: CONNECTION },
      { ...token, ...endpoint('ServicePrincipal') },
      'USAGE',
    ],
    [
      // Everything the task maps is there, but the agent's OIDC endpoint is not: flux-azdo's
      // --azure-credential=pipelines stops before any change.
      'workload identity federation outside a pipeline job',
      { authentication: 'azurePipelines', azureSubscription: CONNECTION },
      { ...token, ...endpoint('WorkloadIdentityFederation') },
      'AUTH_NO_AZURE_CREDENTIAL',
    ],
    ['an unknown authentication', { authentication: 'password' }, token, 'USAGE'],
    ['an SSH key without its file', { authentication: 'sshKey' }, token, 'USAGE'],
    ['an invalid branch name', { branch: 'a..b' }, token, 'INVALID_OPTION'],
    ['a wrong PAT', { authentication: 'personalAccessToken', personalAccessToken: pat, tokenAuth: 'true' }, {}, 'AUTH_FAILED'],
  ];
  for (const [what, extra, env, code] of cases) {
    await t.test(what, async () => {
      const { name, bare, url } = newRepo();
      const run = await runTask({ ...baseInputs(url, name), ...extra }, { env });
      assert.equal(run.complete?.result, 'Failed', run.stdout.slice(-1500));
      assert.equal(run.code, 1);
      // The typed error's code leads the task's result message (and its error issue).
      assert.ok(run.complete.message.startsWith(`${code}: `), run.complete.message);
      assert.ok(run.issues.some((i) => i.type === 'error' && i.message === run.complete.message));
      assert.equal(await remoteTip(bare), null, 'nothing pushed');
      assert.equal(await namespaceExists(name), false, 'nothing applied to the cluster');
      for (const secret of [accessToken, pat]) {
        if (run.stdout.includes(secret)) assertMasked(run, secret);
      }
      assert.deepEqual(leftoverTempEntries(run.tmp), []);
    });
  }
});

test('an SSH key from a secure file: the key and its passphrase are masked, line by line, before use', async () => {
  const { name, url } = newRepo();
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const keyFile = join(work, `${name}.key`);
  writeFileSync(keyFile, privateKey, { mode: 0o600 });
  // An https URL with an SSH key: refused (INVALID_OPTION), but only after every secret is masked.
  const run = await runTask({
    ...baseInputs(url, name),
    authentication: 'sshKey',
    privateKeyFile: keyFile,
    sshPassphrase: 'not-the-passphrase-42',
  });
  assert.equal(run.complete?.result, 'Failed');
  const firstOther = run.lines.findIndex((l) => !l.startsWith('##vso[task.debug]') && !l.startsWith('##vso[task.setsecret]'));
  const keyLines = privateKey.split('\n').filter((l) => l && !l.startsWith('-----'));
  for (const line of keyLines) {
    const s = run.secrets.find((x) => x.value === line);
    assert.ok(s, 'every line of the key is masked');
    assert.ok(s.line < firstOther || firstOther === -1);
  }
  assertMasked(run, 'not-the-passphrase-42');
  for (const line of keyLines) assert.ok(!run.stdout.split('\n').some((l) => l.includes(line) && !l.startsWith('##vso[task.setsecret]')));
});

test('task.json: inputs are the CLI flags with the CLI defaults, Node20_1, version set', () => {
  const task = JSON.parse(readFileSync(join(taskRoot, 'FluxBootstrap', 'task.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(taskRoot, 'package.json'), 'utf8'));
  assertTaskJson(task, pkg.version);
});

function assertTaskJson(task, version) {
  const d = defaults();
  const flags = new Map([...bootstrapGitFlags(d), ...installFlags(d), ...globalFlags(d)].map((f) => [f.name, f]));
  const camel = (kebab) => kebab.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  assert.equal(task.name, 'FluxBootstrap');
  assert.match(task.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.deepEqual(Object.keys(task.execution), ['Node20_1']);
  assert.equal(task.minimumAgentVersion, '3.232.1');
  assert.equal(`${task.version.Major}.${task.version.Minor}.${task.version.Patch}`, version);
  const names = task.inputs.map((i) => i.name);
  assert.equal(new Set(names).size, names.length, 'input names are unique');
  const types = new Set(['boolean', 'filePath', 'multiLine', 'pickList', 'radio', 'secureFile', 'string', 'int']);
  const groups = new Set(task.groups.map((g) => g.name));
  const taskOnly = new Set(['authentication', 'personalAccessToken', 'sshPassphrase', 'azureSubscription']);
  for (const input of task.inputs) {
    assert.ok(types.has(input.type) || /^connectedService:.+$/.test(input.type), `${input.name}: type ${input.type}`);
    assert.ok(input.label && input.helpMarkDown, input.name);
    if (input.groupName) assert.ok(groups.has(input.groupName), input.name);
    if (input.type === 'pickList') assert.ok(Object.keys(input.options).includes(input.defaultValue));
    if (taskOnly.has(input.name)) continue;
    // Every other input is a CLI flag in camelCase, with the CLI's default.
    const flag = [...flags.values()].find((f) => camel(f.name) === input.name);
    assert.ok(flag, `${input.name} is a CLI flag`);
    assert.ok(!flag.unsupported, `${input.name} is a supported flag`);
    if (flag.default !== undefined && input.defaultValue !== undefined) {
      const cli = Array.isArray(flag.default) ? flag.default.join(',') : String(flag.default);
      assert.equal(input.defaultValue, cli, `${input.name}: the CLI's default`);
    }
    if (flag.type === 'bool') assert.equal(input.type, 'boolean', input.name);
  }
  for (const required of ['url', 'branch', 'path', 'components', 'version', 'dryRun', 'kubeconfig', 'pushRetries']) {
    assert.ok(names.includes(required), required);
  }
  assert.deepEqual(
    task.outputVariables.map((v) => v.name),
    ['revision', 'commits', 'pullRequestUrl'],
  );
  for (const v of task.outputVariables) assert.match(v.name, /^[A-Za-z][A-Za-z0-9]*$/);
}

test('the .vsix (tfx-cli): the task, its bundle and wasm, the manifests, nothing else', async () => {
  const out = mkdtempSync(join(work, 'vsix-'));
  execFileSync(process.execPath, [join(taskRoot, 'scripts', 'package.mjs'), out], { stdio: ['ignore', 'pipe', 'pipe'] });
  const [file] = execFileSync('ls', [out], { encoding: 'utf8' }).trim().split('\n');
  const version = JSON.parse(readFileSync(join(taskRoot, 'package.json'), 'utf8')).version;
  assert.equal(file, `flux-azdo.flux-azdo-pipelines-${version}.vsix`);
  const vsix = join(out, file);
  const files = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter((f) => !f.endsWith('/'));
  for (const expected of [
    'extension.vsixmanifest',
    'extension.vsomanifest',
    'FluxBootstrap/task.json',
    'FluxBootstrap/js/main.js',
    'FluxBootstrap/wasm/flux_azdo_wasm_bg.wasm',
    'FluxBootstrap/js/lib.json',
  ]) {
    assert.ok(files.includes(expected), `${expected} in ${files.join(', ')}`);
  }
  // No dev files: no sources, maps, node_modules, lock files or configs.
  for (const f of files) {
    assert.ok(!/(\.ts|\.map|tsconfig\.json|package-lock\.json|eslint|node_modules\/|\/src\/)/.test(f), `dev file ${f} in the .vsix`);
  }
  const manifest = execFileSync('unzip', ['-p', vsix, 'extension.vsixmanifest'], { encoding: 'utf8' });
  assert.match(manifest, new RegExp(`Version="${version.replace(/\./g, '\\.')}"`));
  const contributions = JSON.parse(execFileSync('unzip', ['-p', vsix, 'extension.vsomanifest'], { encoding: 'utf8' })).contributions;
  assert.deepEqual(
    contributions.map((c) => [c.type, c.properties.name]),
    [['ms.vss-distributed-task.task', 'FluxBootstrap']],
  );
  const task = JSON.parse(execFileSync('unzip', ['-p', vsix, 'FluxBootstrap/task.json'], { encoding: 'utf8' }));
  assertTaskJson(task, version);
  assert.ok(files.includes(`FluxBootstrap/${task.execution.Node20_1.target}`), 'the handler target is in the package');
  const wasm = execFileSync('unzip', ['-p', vsix, 'FluxBootstrap/wasm/flux_azdo_wasm_bg.wasm'], { maxBuffer: 1 << 26 });
  assert.ok(wasm.equals(readFileSync(join(repoRoot, 'npm', 'wasm', 'flux_azdo_wasm_bg.wasm'))));
  // Unpacked away from any node_modules, the entry runs (and fails on a missing input, typed).
  const unpacked = mkdtempSync(join(tmpdir(), 'flux-azdo-vsix-unpacked-'));
  try {
    execFileSync('unzip', ['-q', vsix, '-d', unpacked]);
    const res = spawnSyncTask(join(unpacked, 'FluxBootstrap', task.execution.Node20_1.target));
    assert.match(res, /##vso\[task\.complete result=Failed;\]USAGE: input url/);
  } finally {
    rmSync(unpacked, { recursive: true, force: true });
  }
});

function spawnSyncTask(file) {
  try {
    return execFileSync(process.execPath, [file], {
      env: {
        PATH: process.env.PATH,
        AGENT_TEMPDIRECTORY: tmpdir(),
        INPUT_AUTHENTICATION: 'personalAccessToken',
        INPUT_PERSONALACCESSTOKEN: 'x',
      },
      encoding: 'utf8',
    });
  } catch (err) {
    return err.stdout;
  }
}
