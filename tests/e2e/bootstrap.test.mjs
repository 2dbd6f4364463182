// `flux-azdo bootstrap git` end to end, both flows of the Azure DevOps guide, against a real
// kube-apiserver, a real HTTPS Git server (git http-backend) and a real OpenSSH server that takes
// only RSA SHA-2 keys. The health wait each bootstrap ends with sees Flux's real controllers
// (support/controller-pool.mjs: one set per namespace, started when bootstrap installs them):
// source-controller fetches what was pushed with the Secret bootstrap wrote, kustomize-controller
// applies it, and all four default components run as processes.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as core from '../../npm/dist/core/node.js';
import { bootstrap, dryRun } from '../../npm/dist/index.js';
import { kubeRequest } from '../harness/cluster.mjs';
import { startSshd } from '../servers/sshd.mjs';
import { readBundleFiles } from '../support/flux-reference.mjs';
import {
  bundleDir,
  cliPath,
  DEFAULT_COMPONENTS,
  controllerStandIn,
  getObject,
  git,
  history,
  jsonEvents,
  jsonLines,
  privateTmpDir,
  refs,
  runCli,
  startWorld,
  tokenBootstrapArgs,
} from './support/bootstrap-env.mjs';
import { controllerPool } from './support/controller-pool.mjs';
import { assertReconciledAt, eventually } from './support/flux-world.mjs';
import { assertNoLeaks, watchProcessTree } from './support/leak-scan.mjs';

let world;
let work;
/** Flux's controllers, one set per namespace of this file's cluster. */
let controllers;
/** What the current test printed, emitted and returned, for its own leak scan. */
let captured = [];
const capture = (...values) => captured.push(...values);
/** The CLI runs of the current test (their temp dirs and processes). */
let runs = [];
/** The Git Secrets bootstrap wrote (`namespace/name`): the one place the secrets belong. */
const gitSecrets = new Set();

/**
 * The leak scan of one test, run inside it: the PAT (and the test's keys and passphrases), in
 * every encoded form, in nothing the test printed or got back, in no object of the repos it
 * pushed to, in no cluster object but the Git Secrets' data, in no argv of a run nor in the
 * environment of anything a run spawned, and in no file a run left in its private TMPDIR (which
 * holds no flux-azdo-* leftovers).
 */
async function assertNoLeaksInTest({ repos = [], privateKeys = [], publicKeys = [], passphrases = [] } = {}) {
  assert.ok(captured.length > 0, 'the scan has output to look at');
  const tmpDirs = runs.map((r) => r.tmpDir);
  try {
    await assertNoLeaks(
      { pats: [world.pat], privateKeys, publicKeys, passphrases },
      {
        values: captured,
        repos,
        processes: runs.flatMap((r) => r.processes),
        tmpDirs,
        cluster: { get: (path) => getObject(world.cluster, path), allowedSecrets: [...gitSecrets] },
      },
    );
  } finally {
    captured = [];
    runs = [];
    for (const dir of tmpDirs) await rm(dir, { recursive: true, force: true });
  }
}

/** Runs an in-process API call with a private TMPDIR, recorded like a CLI run for the scan. */
async function inPrivateTmp(fn) {
  const tmpDir = privateTmpDir();
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmpDir;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    runs.push({ tmpDir, processes: [] });
  }
}

/** A CLI run: its output for the scan, its TMPDIR and process tree too. */
function record(res) {
  capture(res.stdout, res.stderr);
  runs.push(res);
  return res;
}

before(async () => {
  world = await startWorld();
  controllers = controllerPool(world.cluster);
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-bootstrap-'));
});
// Only tok-env's controllers are used again (the dry-run and uninstall tests); the others go
// after their test, so the machine does not run four controllers per namespace of the file.
afterEach(async () => {
  await controllers?.stopAllExcept(['tok-env']);
});
after(async () => {
  await controllers?.stopAll();
  await world?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const tokenFlags = (url, namespace) => tokenBootstrapArgs(world, url, namespace);

async function secretData(namespace, name = 'flux-system') {
  const res = await getObject(world.cluster, `/api/v1/namespaces/${namespace}/secrets/${name}`);
  assert.equal(res.status, 200, `Secret ${namespace}/${name} must exist`);
  return Object.fromEntries(Object.entries(res.body.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
}

async function cliTokenBootstrap(name, env = {}, input) {
  world.git.createRepo('org', 'project', name);
  const standIn = controllers.watch(name);
  const res = record(await runCli(tokenFlags(world.git.repoUrl('org', 'project', name), name), { env, input, onLine: jsonLines(standIn) }));
  gitSecrets.add(`${name}/flux-system`);
  await standIn.settled();
  return res;
}

test('token flow: PAT from GIT_PASSWORD, Flux commits, the PAT only in the Secret; a re-run changes nothing', async () => {
  const ns = 'tok-env';
  const res = await cliTokenBootstrap(ns, { GIT_PASSWORD: world.pat });
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const repo = world.git.repoDir('org', 'project', ns);
  const commits = history(repo);
  assert.deepEqual(
    commits.map((c) => c.message),
    ['Add Flux sync manifests', 'Add Flux v2.9.4 component manifests'],
  );
  assert.ok(
    commits.every((c) => c.author === 'Flux <>'),
    'Flux commits as "Flux <>"',
  );
  assert.deepEqual(commits[1].files, [`clusters/my-cluster/${ns}/gotk-components.yaml`]);
  assert.deepEqual(commits[0].files.sort(), [`clusters/my-cluster/${ns}/gotk-sync.yaml`, `clusters/my-cluster/${ns}/kustomization.yaml`]);
  // The pushed blobs are, byte for byte, what the core plans for the same options...
  const plan = core.planRepository(
    { url: world.git.repoUrl('org', 'project', ns), branch: 'main', path: 'clusters/my-cluster', namespace: ns, tokenAuth: true },
    readBundleFiles(),
  );
  const planned = core.planFiles(plan);
  assert.deepEqual(planned.map((f) => f.path).sort(), [...commits[1].files, ...commits[0].files].sort());
  for (const file of planned) {
    const pushed = execFileSync('git', ['--git-dir', repo, 'show', `main:${file.path}`]);
    assert.ok(pushed.equals(Buffer.from(file.content, 'utf8')), `the pushed ${file.path} differs from the core's`);
  }
  // ...and the components are Flux's install.yaml with only the namespace changed.
  const expected = (await readFile(join(bundleDir, '..', 'install.yaml'), 'utf8')).replaceAll('flux-system', ns);
  const committed = execFileSync('git', ['--git-dir', repo, 'show', `main:clusters/my-cluster/${ns}/gotk-components.yaml`], {
    encoding: 'utf8',
  });
  assert.ok(committed === expected, 'the pushed gotk-components.yaml differs from install.yaml with the namespace replaced');
  const sync = git(repo, 'show', `main:clusters/my-cluster/${ns}/gotk-sync.yaml`);
  assert.match(sync, new RegExp(`url: ${world.git.repoUrl('org', 'project', ns).replaceAll('.', '\\.')}\n`));
  const data = await secretData(ns);
  assert.equal(data.username, 'git');
  assert.equal(data.password, world.pat);
  assert.equal(data['ca.crt'], world.git.caPem);
  const result = JSON.parse(res.stdout.trim().split('\n').at(-1));
  assert.equal(result.type, 'result');
  assert.equal(result.revision, `main@sha1:${commits[0].sha}`);
  const done = (events, step) => events.find((e) => e.type === 'done' && e.step === step);
  const events = jsonEvents(res.stdout);
  assert.deepEqual([done(events, 'components').sha, done(events, 'components').pushed], [commits[1].sha, true]);
  assert.deepEqual([done(events, 'sync').sha, done(events, 'sync').pushed], [commits[0].sha, true]);
  assert.deepEqual([done(events, 'secret').ref, done(events, 'secret').action], [`Secret/${ns}/flux-system`, 'created']);
  assert.equal(done(events, 'health').revision, result.revision);
  // The health wait ended on what Flux's own controllers wrote: the CLI process against the real
  // source-, kustomize-, helm- and notification-controller, started from the applied Deployments.
  await assertReconciledAt(world, ns, result.revision);
  const running = await controllers.running(ns);
  assert.deepEqual(Object.keys(running.processes).sort(), [...DEFAULT_COMPONENTS].sort());
  const applied = events.filter((e) => e.type === 'progress' && e.step === 'apply');
  assert.ok(
    applied.some((e) => e.ref === `Kustomization/${ns}/${ns}` && e.action === 'created'),
    'the apply reports each object',
  );

  const tips = refs(repo);
  const again = record(
    await runCli(tokenFlags(world.git.repoUrl('org', 'project', ns), ns), {
      env: { GIT_PASSWORD: world.pat },
      onLine: jsonLines(controllers.watch(ns)),
    }),
  );
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(refs(repo), tips, 'a re-run with the same options pushes nothing');
  const rerun = jsonEvents(again.stdout);
  // Nothing pushed: both steps name the branch's tip, which holds their files already.
  assert.deepEqual(
    [done(rerun, 'components').sha, done(rerun, 'components').pushed],
    [commits[0].sha, false],
    'component manifests are up to date',
  );
  assert.deepEqual([done(rerun, 'sync').sha, done(rerun, 'sync').pushed], [commits[0].sha, false], 'sync manifests are up to date');
  assert.equal(done(rerun, 'secret').action, 'unchanged');
  assert.ok(
    rerun.filter((e) => e.type === 'progress' && e.step === 'apply').every((e) => e.action === 'unchanged' || e.action === 'configured'),
    'a re-run creates no object',
  );
  await assertNoLeaksInTest({ repos: [repo] });
});

test('--dry-run after a bootstrap predicts the run: the Secret unchanged, and update once the PAT differs', async () => {
  const ns = 'tok-env';
  const url = world.git.repoUrl('org', 'project', ns);
  const options = {
    url,
    tokenAuth: true,
    password: world.pat,
    caFile: world.git.caFile,
    branch: 'main',
    path: 'clusters/my-cluster',
    namespace: ns,
    kubeconfig: world.cluster.kubeconfigPath,
    manifests: bundleDir,
  };
  const before = await getObject(world.cluster, `/api/v1/namespaces/${ns}/secrets/flux-system`);
  const plan = await dryRun(options);
  capture(plan);
  assert.deepEqual(plan.secret, { ref: `Secret/${ns}/flux-system`, change: 'unchanged' });
  assert.ok(
    plan.files.every((f) => f.change === 'unchanged'),
    'the repository is up to date',
  );
  // The cluster still holds an older PAT: the run would write the new one.
  const stale = { ...before.body, data: { ...before.body.data, password: Buffer.from('fake-pat-rotated-away').toString('base64') } };
  const put = await kubeRequest(world.cluster.admin, 'PUT', `/api/v1/namespaces/${ns}/secrets/flux-system`, stale);
  assert.equal(put.status, 200);
  const changed = await dryRun(options);
  capture(changed);
  assert.deepEqual(changed.secret, { ref: `Secret/${ns}/flux-system`, change: 'update' });
  // And the run does what the dry run said.
  const again = await runCli(tokenFlags(url, ns), {
    env: { GIT_PASSWORD: world.pat },
    onLine: jsonLines(controllers.watch(ns)),
  });
  capture(again.stdout, again.stderr);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(jsonEvents(again.stdout).find((e) => e.type === 'done' && e.step === 'secret').action, 'updated');
  assert.equal((await secretData(ns)).password, world.pat);
});

test('--dry-run of a repository whose HEAD names a deleted branch clones --branch main all the same', async () => {
  const ns = 'tok-gone-head';
  const repo = world.git.createRepo('org', 'project', ns, { empty: false });
  git(repo, 'symbolic-ref', 'HEAD', 'refs/heads/gone');
  const plan = await dryRun({
    url: world.git.repoUrl('org', 'project', ns),
    tokenAuth: true,
    password: world.pat,
    caFile: world.git.caFile,
    branch: 'main',
    path: 'clusters/my-cluster',
    namespace: ns,
    kubeconfig: world.cluster.kubeconfigPath,
    manifests: bundleDir,
  });
  capture(plan);
  assert.deepEqual(
    plan.files.map((f) => f.change),
    ['create', 'create', 'create'],
  );
});

test('token flow: the PAT piped on stdin', async () => {
  const res = await cliTokenBootstrap('tok-stdin', {}, `${world.pat}\n`);
  assert.equal(res.code, 0, res.stderr);
  assert.equal((await secretData('tok-stdin')).password, world.pat);
  await assertNoLeaksInTest({ repos: [world.git.repoDir('org', 'project', 'tok-stdin')] });
});

test('token flow: the PAT typed at a hidden prompt on a terminal', async () => {
  const ns = 'tok-tty';
  world.git.createRepo('org', 'project', ns);
  const standIn = controllers.watch(ns);
  const args = tokenFlags(world.git.repoUrl('org', 'project', ns), ns)
    .map((a) => `'${a}'`)
    .join(' ');
  // `script` gives the CLI a pseudo-terminal; the PAT is typed once the prompt shows.
  const { spawn } = await import('node:child_process');
  const tmpDir = privateTmpDir();
  const child = spawn('script', ['-qefc', `${process.execPath} ${cliPath} ${args}`, '/dev/null'], {
    env: { ...process.env, NO_COLOR: '1', GIT_PASSWORD: '', TMPDIR: tmpDir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  gitSecrets.add(`${ns}/flux-system`);
  // The CLI runs under `script`: its argv and environment are a descendant's, scanned in full.
  const watch = watchProcessTree(child.pid);
  let out = '';
  let typed = false;
  child.stdout.on('data', (d) => {
    out += d.toString();
    if (!typed && out.includes('Please enter your Personal Access Token')) {
      typed = true;
      child.stdin.write(`${world.pat}\r`);
    }
    for (const line of out.split(/\r?\n/)) jsonLines(standIn)(line.replace(/^.*?(\{"type")/, '$1'));
  });
  const code = await new Promise((r) => child.on('close', r));
  runs.push({ tmpDir, processes: watch.stop() });
  capture(out);
  await standIn.settled();
  assert.ok(typed, 'the prompt appeared');
  assert.equal(code, 0, out);
  assert.ok(!out.includes(world.pat), 'the typed PAT is not echoed');
  assert.equal((await secretData(ns)).password, world.pat);
  await assertNoLeaksInTest({ repos: [world.git.repoDir('org', 'project', ns)] });
});

test('SSH flow: a generated RSA SHA-2 key, the host key patch from the first commit, known_hosts from the scan', async () => {
  const { sshd, cluster } = world;
  const ns = 'ssh-gen';
  const repo = sshd.createRepo('org', 'project', ns);
  const standIn = controllers.watch(ns);
  let prompted;
  gitSecrets.add(`${ns}/flux-system`);
  const result = await inPrivateTmp(() =>
    bootstrap(
      {
        url: sshd.repoUrl('org', 'project', ns),
        path: 'clusters/my-cluster',
        namespace: ns,
        sshKeyAlgorithm: 'rsa',
        sshRsaBits: 2048,
        sshHostkeyAlgos: ['rsa-sha2-512', 'rsa-sha2-256'],
        kubeconfig: cluster.kubeconfigPath,
        manifests: bundleDir,
        timeout: '5m',
      },
      {
        onEvent: (e) => (capture(e), standIn.onEvent(e)),
        // The user adds the key to the repository (Azure DevOps: User settings → SSH public keys).
        confirmDeployKey: async (prompt) => {
          prompted = prompt;
          sshd.addAuthorizedKey(prompt.publicKey);
          return true;
        },
      },
    ),
  );
  await standIn.settled();
  capture(result);
  assert.match(prompted.publicKey, /^ssh-rsa AAAA\S+\n$/);
  assert.equal(result.publicKey, prompted.publicKey);
  const commits = history(repo);
  assert.deepEqual(
    commits.map((c) => c.message),
    ['Add Flux sync manifests', 'Add Flux v2.9.4 component manifests'],
  );
  const kustomization = git(repo, 'show', `${commits[1].sha}:clusters/my-cluster/${ns}/kustomization.yaml`);
  assert.match(kustomization, /--ssh-hostkey-algos=rsa-sha2-512,rsa-sha2-256/);
  assert.match(
    git(repo, 'show', `main:clusters/my-cluster/${ns}/gotk-sync.yaml`),
    new RegExp(`url: ssh://\\S+@127\\.0\\.0\\.1:${sshd.port}/v3/org/project/${ns}\n`),
  );
  const data = await secretData(ns);
  assert.match(data.identity, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.equal(data['identity.pub'], prompted.publicKey);
  assert.equal(data.known_hosts, sshd.hostKeyLine);
  // The cluster's source-controller carries the flag, so it can reach an rsa-sha2-only server.
  const dep = await getObject(cluster, `/apis/apps/v1/namespaces/${ns}/deployments/source-controller`);
  assert.ok(dep.body.spec.template.spec.containers[0].args.includes('--ssh-hostkey-algos=rsa-sha2-512,rsa-sha2-256'));
  assert.match(sshd.log(), /rsa-sha2-512/);
  assert.doesNotMatch(sshd.log(), /Accepted publickey for \S+ from \S+ port \d+ ssh2: RSA-SHA1/);
  // The generated key lives in the Secret only.
  await assertNoLeaksInTest({ repos: [repo], privateKeys: [data.identity], publicKeys: [data['identity.pub']] });
});

test('SSH flow: --private-key-file with a passphrase; the Secret carries the passphrase', async () => {
  const { sshd, cluster } = world;
  const ns = 'ssh-file';
  const repo = sshd.createRepo('org', 'project', ns);
  gitSecrets.add(`${ns}/flux-system`);
  const keyFile = join(work, 'id_rsa');
  const passphrase = `fake-passphrase-${Date.now()}`;
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', passphrase, '-C', '', '-f', keyFile]);
  sshd.addAuthorizedKey(await readFile(`${keyFile}.pub`, 'utf8'));
  const standIn = controllers.watch(ns);
  const res = await runCli(
    [
      'bootstrap',
      'git',
      `--url=${sshd.repoUrl('org', 'project', ns)}`,
      '--path=clusters/my-cluster',
      `--namespace=${ns}`,
      '--ssh-hostkey-algos=rsa-sha2-512,rsa-sha2-256',
      `--private-key-file=${keyFile}`,
      `--kubeconfig=${cluster.kubeconfigPath}`,
      `--manifests=${bundleDir}`,
      '--timeout=5m',
      '--silent',
      '--json',
    ],
    // The passphrase travels in GIT_PASSWORD, not argv: other users of the machine can read argv.
    { env: { GIT_PASSWORD: passphrase }, onLine: jsonLines(standIn) },
  );
  await standIn.settled();
  record(res);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const data = await secretData(ns);
  assert.equal(data.identity, await readFile(keyFile, 'utf8'), 'the key file goes into the Secret as it is');
  assert.equal(data.password, passphrase);
  assert.ok(!res.stdout.includes(passphrase) && !res.stderr.includes(passphrase));
  await assertNoLeaksInTest({
    repos: [repo],
    privateKeys: [data.identity],
    publicKeys: [await readFile(`${keyFile}.pub`, 'utf8')],
    passphrases: [passphrase],
  });
});

test('HTTPS push with the PAT, SSH sync with a generated key: the PAT never enters the cluster', async () => {
  const { git: server, sshd, cluster } = world;
  const ns = 'https-ssh';
  const repo = server.createRepo('org', 'project', ns);
  // The stand-in stays here: the sync URL this test asserts names `git@`, and the test sshd logs
  // in only the user running the tests, so a real source-controller could never fetch it
  // (entra-push.test.mjs runs this flow with `--username` against the real controllers).
  const standIn = controllerStandIn(cluster, ns);
  gitSecrets.add(`${ns}/flux-system`);
  const result = await inPrivateTmp(() =>
    bootstrap(
      {
        url: server.repoUrl('org', 'project', ns),
        password: world.pat,
        caFile: server.caFile,
        // The SSH host of this test server: the sync URL and the known_hosts scan go there.
        sshHostname: `127.0.0.1:${sshd.port}`,
        sshKeyAlgorithm: 'rsa',
        sshRsaBits: 2048,
        path: 'clusters/my-cluster',
        namespace: ns,
        kubeconfig: cluster.kubeconfigPath,
        manifests: bundleDir,
        silent: true,
        timeout: '5m',
      },
      { onEvent: (e) => (capture(e), standIn.onEvent(e)) },
    ),
  );
  await standIn.settled();
  capture(result);
  assert.equal(history(repo).length, 2, 'both commits were pushed over HTTPS');
  assert.match(
    git(repo, 'show', `main:clusters/my-cluster/${ns}/gotk-sync.yaml`),
    new RegExp(`url: ssh://git@127\\.0\\.0\\.1:${sshd.port}/`),
  );
  const data = await secretData(ns);
  assert.deepEqual(Object.keys(data).sort(), ['identity', 'identity.pub', 'known_hosts']);
  assert.equal(data.known_hosts, sshd.hostKeyLine);
  assert.equal(data['identity.pub'], result.publicKey);
  await assertNoLeaksInTest({ repos: [repo], privateKeys: [data.identity], publicKeys: [data['identity.pub']] });
});

test('an existing kustomization.yaml with user patches is kept; the SSH patch is only appended', async () => {
  const { sshd, cluster } = world;
  const ns = 'ssh-user';
  const repo = sshd.createRepo('org', 'project', ns);
  const userFile = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - gotk-components.yaml
  - gotk-sync.yaml
# our memory limit
patches:
  - patch: |
      - op: replace
        path: /spec/template/spec/containers/0/resources/limits/memory
        value: 2Gi
    target:
      kind: Deployment
      name: kustomize-controller
`;
  const seed = await mkdtemp(join(work, 'seed-'));
  const gitc = (...a) =>
    execFileSync('git', ['-C', seed, ...a], {
      env: { ...process.env, GIT_AUTHOR_NAME: 'u', GIT_AUTHOR_EMAIL: 'u@x', GIT_COMMITTER_NAME: 'u', GIT_COMMITTER_EMAIL: 'u@x' },
    });
  gitc('init', '-q', '-b', 'main');
  execFileSync('mkdir', ['-p', join(seed, `clusters/my-cluster/${ns}`)]);
  await writeFile(join(seed, `clusters/my-cluster/${ns}/kustomization.yaml`), userFile);
  gitc('add', '.');
  gitc('commit', '-qm', 'user setup');
  gitc('push', '-q', repo, 'main');
  const keyFile = join(work, 'id_user');
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-C', '', '-f', keyFile]);
  sshd.addAuthorizedKey(await readFile(`${keyFile}.pub`, 'utf8'));
  const standIn = controllers.watch(ns);
  gitSecrets.add(`${ns}/flux-system`);
  capture(
    await inPrivateTmp(() =>
      bootstrap(
        {
          url: sshd.repoUrl('org', 'project', ns),
          path: 'clusters/my-cluster',
          namespace: ns,
          privateKeyFile: keyFile,
          sshHostkeyAlgos: ['rsa-sha2-512', 'rsa-sha2-256'],
          kubeconfig: cluster.kubeconfigPath,
          manifests: bundleDir,
          silent: true,
          timeout: '5m',
        },
        { onEvent: (e) => (capture(e), standIn.onEvent(e)) },
      ),
    ),
  );
  await standIn.settled();
  const after = git(repo, 'show', `main:clusters/my-cluster/${ns}/kustomization.yaml`) + '\n';
  assert.ok(after.startsWith(userFile), 'the user file is kept byte for byte');
  assert.match(after.slice(userFile.length), /--ssh-hostkey-algos=rsa-sha2-512,rsa-sha2-256/);
  await assertNoLeaksInTest({
    repos: [repo],
    privateKeys: [await readFile(keyFile, 'utf8')],
    publicKeys: [await readFile(`${keyFile}.pub`, 'utf8')],
  });
});

test('SSH flow to an IPv6 host on another port: known_hosts names [::1]:port once, and OpenSSH accepts it', async () => {
  const { cluster } = world;
  const sshd6 = await startSshd({ address: '::1' });
  try {
    const ns = 'ssh-ipv6';
    const repo = sshd6.createRepo('org', 'project', ns);
    const keyFile = join(work, 'id_ipv6');
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-C', '', '-f', keyFile]);
    sshd6.addAuthorizedKey(await readFile(`${keyFile}.pub`, 'utf8'));
    // The stand-in stays here for now: with the real controllers, source-controller wrote no
    // status at all for the [::1] sync URL within 5 minutes (observedGeneration behind; not yet
    // explained, see the ctrl branch report). What this test is about, the known_hosts line,
    // is proven below by OpenSSH itself.
    const standIn = controllerStandIn(cluster, ns);
    gitSecrets.add(`${ns}/flux-system`);
    capture(
      await inPrivateTmp(() =>
        bootstrap(
          {
            url: sshd6.repoUrl('org', 'project', ns),
            path: 'clusters/my-cluster',
            namespace: ns,
            privateKeyFile: keyFile,
            sshHostkeyAlgos: ['rsa-sha2-512', 'rsa-sha2-256'],
            kubeconfig: cluster.kubeconfigPath,
            manifests: bundleDir,
            silent: true,
            timeout: '5m',
          },
          { onEvent: (e) => (capture(e), standIn.onEvent(e)) },
        ),
      ),
    );
    await standIn.settled();
    assert.equal(history(repo).length, 2);
    const data = await secretData(ns);
    assert.equal(data.known_hosts, sshd6.hostKeyLine);
    assert.ok(data.known_hosts.startsWith(`[::1]:${sshd6.port} `), data.known_hosts);
    // OpenSSH itself, told to trust nothing but the Secret's known_hosts, reaches the repository.
    const knownHostsFile = join(work, 'known_hosts_ipv6');
    await writeFile(knownHostsFile, `${data.known_hosts}\n`);
    const sshCommand = `ssh -F /dev/null -i ${keyFile} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${knownHostsFile}`;
    const refs = execFileSync('git', ['ls-remote', sshd6.repoUrl('org', 'project', ns), 'refs/heads/main'], {
      env: { ...process.env, GIT_SSH_COMMAND: sshCommand },
      encoding: 'utf8',
    });
    assert.match(refs, /^[0-9a-f]{40}\trefs\/heads\/main\n$/);
    await assertNoLeaksInTest({
      repos: [repo],
      privateKeys: [await readFile(keyFile, 'utf8')],
      publicKeys: [await readFile(`${keyFile}.pub`, 'utf8')],
    });
  } finally {
    await sshd6.stop();
  }
});

test('a re-run with a new option makes exactly the components commit Flux would', async () => {
  const ns = 'tok-upgrade';
  const first = await cliTokenBootstrap(ns, { GIT_PASSWORD: world.pat });
  assert.equal(first.code, 0, first.stderr);
  const repo = world.git.repoDir('org', 'project', ns);
  const before = history(repo).length;
  // The four default controllers keep running from the first run; the two image controllers
  // are not in the harness (Flux's default set leaves them out), so only their Deployments are
  // marked available, by the test, once kustomize-controller has applied them from Git.
  const watch = controllers.watch(ns);
  const imageControllers = ['image-reflector-controller', 'image-automation-controller'];
  let marked;
  const standIn = {
    onEvent: (event) => {
      watch.onEvent(event);
      if (event.type === 'step' && event.step === 'health' && !marked) {
        marked = Promise.all(
          imageControllers.map((name) =>
            eventually(`${name} applied and marked available`, async () => {
              const res = await getObject(world.cluster, `/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
              if (res.status !== 200) return { ok: false, detail: `${res.status}` };
              await world.cluster.markDeploymentAvailableForTest(ns, name);
              return { ok: true };
            }),
          ),
        );
      }
    },
    settled: async () => Promise.all([watch.settled(), marked]),
  };
  const res = record(
    await runCli(
      [
        ...tokenFlags(world.git.repoUrl('org', 'project', ns), ns),
        '--components-extra=image-reflector-controller,image-automation-controller',
      ],
      {
        env: { GIT_PASSWORD: world.pat },
        onLine: jsonLines(standIn),
      },
    ),
  );
  await standIn.settled();
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const commits = history(repo);
  assert.equal(commits.length, before + 1);
  assert.equal(commits[0].message, 'Add Flux v2.9.4 component manifests');
  assert.deepEqual(commits[0].files, [`clusters/my-cluster/${ns}/gotk-components.yaml`]);
  await assertNoLeaksInTest({ repos: [repo] });
});

test('a wrong PAT fails with AUTH_FAILED before anything changes in the repo or the cluster', async () => {
  const ns = 'tok-wrong';
  const repo = world.git.createRepo('org', 'project', ns);
  const wrongPat = 'fake-wrong-pat-0000';
  const res = record(await runCli(tokenFlags(world.git.repoUrl('org', 'project', ns), ns), { env: { GIT_PASSWORD: wrongPat } }));
  assert.equal(res.code, 1);
  const error = res.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .find((e) => e.type === 'error');
  assert.equal(error.code, 'AUTH_FAILED');
  assert.deepEqual(refs(repo), {});
  const nsObj = await getObject(world.cluster, `/api/v1/namespaces/${ns}`);
  assert.equal(nsObj.status, 404, 'nothing was created in the cluster');
  await assertNoLeaksInTest({ repos: [repo], passphrases: [wrongPat] });
});

test('a flux-system kustomization.yaml the core cannot build is refused with KUSTOMIZATION_UNSUPPORTED before anything changes', async () => {
  const ns = 'tok-generator';
  const repo = world.git.createRepo('org', 'project', ns);
  const seed = await mkdtemp(join(work, 'seed-'));
  const gitc = (...a) =>
    execFileSync('git', ['-C', seed, ...a], {
      env: { ...process.env, GIT_AUTHOR_NAME: 'u', GIT_AUTHOR_EMAIL: 'u@x', GIT_COMMITTER_NAME: 'u', GIT_COMMITTER_EMAIL: 'u@x' },
    });
  gitc('init', '-q', '-b', 'main');
  execFileSync('mkdir', ['-p', join(seed, `clusters/my-cluster/${ns}`)]);
  await writeFile(
    join(seed, `clusters/my-cluster/${ns}/kustomization.yaml`),
    'resources:\n- gotk-components.yaml\n- gotk-sync.yaml\nconfigMapGenerator:\n- name: settings\n  literals: [a=b]\n',
  );
  gitc('add', '.');
  gitc('commit', '-qm', 'user setup');
  gitc('push', '-q', repo, 'main');
  const before = refs(repo);
  const res = record(await runCli(tokenFlags(world.git.repoUrl('org', 'project', ns), ns), { env: { GIT_PASSWORD: world.pat } }));
  assert.equal(res.code, 1);
  const error = jsonEvents(res.stdout).find((e) => e.type === 'error');
  assert.equal(error.code, 'KUSTOMIZATION_UNSUPPORTED');
  assert.deepEqual(error.done, [], 'nothing was done');
  assert.deepEqual(refs(repo), before, 'nothing was pushed');
  const nsObj = await getObject(world.cluster, `/api/v1/namespaces/${ns}`);
  assert.equal(nsObj.status, 404, 'nothing was created in the cluster');
  await assertNoLeaksInTest({ repos: [repo] });
});

test('an unreachable cluster fails with KUBE_UNREACHABLE before anything is pushed', async () => {
  const ns = 'tok-nokube';
  const repo = world.git.createRepo('org', 'project', ns);
  const broken = join(work, 'broken.kubeconfig');
  await writeFile(broken, world.cluster.kubeconfig.replace(/server: https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:1'));
  const args = tokenFlags(world.git.repoUrl('org', 'project', ns), ns).map((a) =>
    a.startsWith('--kubeconfig=') ? `--kubeconfig=${broken}` : a,
  );
  const res = record(await runCli(args, { env: { GIT_PASSWORD: world.pat } }));
  assert.equal(res.code, 1);
  assert.equal(jsonEvents(res.stdout).find((e) => e.type === 'error')?.code, 'KUBE_UNREACHABLE');
  assert.deepEqual(refs(repo), {});
  await assertNoLeaksInTest({ repos: [repo] });
});

test('--dry-run shows the diff and the objects, and changes nothing', async () => {
  const ns = 'tok-plan';
  const repo = world.git.createRepo('org', 'project', ns, { empty: false });
  const tips = refs(repo);
  const plan = await inPrivateTmp(() =>
    dryRun({
      url: world.git.repoUrl('org', 'project', ns),
      tokenAuth: true,
      password: world.pat,
      caFile: world.git.caFile,
      path: 'clusters/my-cluster',
      namespace: ns,
      kubeconfig: world.cluster.kubeconfigPath,
      manifests: bundleDir,
    }),
  );
  capture(plan);
  assert.deepEqual(
    plan.files.map((f) => [f.path, f.change]),
    [
      [`clusters/my-cluster/${ns}/gotk-components.yaml`, 'create'],
      [`clusters/my-cluster/${ns}/gotk-sync.yaml`, 'create'],
      [`clusters/my-cluster/${ns}/kustomization.yaml`, 'create'],
    ],
  );
  assert.match(plan.files[1].diff, /^\+\s+url: https:/m);
  assert.ok(plan.objects.some((o) => o.ref === `Namespace/${ns}` && o.change === 'create'));
  assert.deepEqual(plan.secret, { ref: `Secret/${ns}/flux-system`, change: 'create' });
  assert.deepEqual(refs(repo), tips, 'the repository is untouched');
  assert.equal((await getObject(world.cluster, `/api/v1/namespaces/${ns}`)).status, 404, 'the cluster is untouched');
  await assertNoLeaksInTest({ repos: [repo] });
});

test('a Flux installed with Helm: refused (and by the dry run) until --force, which removes Helm for good', async () => {
  const ns = 'helm-owned';
  const url = world.git.repoUrl('org', 'project', ns);
  world.git.createRepo('org', 'project', ns);
  gitSecrets.add(`${ns}/flux-system`);
  const admin = world.cluster.admin;
  const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gitrepositories.source.toolkit.fluxcd.io';
  const deploymentPath = `/apis/apps/v1/namespaces/${ns}/deployments/source-controller`;
  const releasePath = `/api/v1/namespaces/${ns}/secrets/sh.helm.release.v1.flux.v1`;
  const helmLabels = { 'app.kubernetes.io/managed-by': 'Helm' };
  const helmAnnotations = { 'meta.helm.sh/release-name': 'flux', 'meta.helm.sh/release-namespace': ns };
  const markCrd = (labels, annotations) =>
    kubeRequest(admin, 'PATCH', crdPath, { metadata: { labels, annotations } }, 'application/merge-patch+json');
  assert.equal((await kubeRequest(admin, 'POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
  // As `helm install` leaves them: only the Deployment marked first (the CRD check alone missed it).
  const deployment = await kubeRequest(admin, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
    metadata: { name: 'source-controller', labels: helmLabels, annotations: helmAnnotations },
    spec: {
      selector: { matchLabels: { app: 'source-controller' } },
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels: { app: 'source-controller' } },
        spec: { containers: [{ name: 'manager', image: 'example.invalid/helm-flux:1' }] },
      },
    },
  });
  assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
  const release = await kubeRequest(admin, 'POST', `/api/v1/namespaces/${ns}/secrets`, {
    metadata: { name: 'sh.helm.release.v1.flux.v1', labels: { owner: 'helm', name: 'flux', status: 'deployed', version: '1' } },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from('H4sI-not-a-real-release').toString('base64') },
  });
  assert.equal(release.status, 201);
  const errorCode = (res) => jsonEvents(res.stdout).find((e) => e.type === 'error')?.code;
  const cli = async (extra = [], standIn = undefined) => {
    const res = await runCli([...tokenFlags(url, ns), ...extra], {
      env: { GIT_PASSWORD: world.pat },
      ...(standIn ? { onLine: jsonLines(standIn) } : {}),
    });
    capture(res.stdout, res.stderr);
    return res;
  };
  try {
    const refused = await cli();
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(errorCode(refused), 'FLUX_MANAGED_ELSEWHERE');
    assert.equal((await markCrd(helmLabels, helmAnnotations)).status, 200);
    const dryOptions = {
      url,
      tokenAuth: true,
      password: world.pat,
      caFile: world.git.caFile,
      branch: 'main',
      path: 'clusters/my-cluster',
      namespace: ns,
      kubeconfig: world.cluster.kubeconfigPath,
      manifests: bundleDir,
    };
    await assert.rejects(dryRun(dryOptions), (err) => err.code === 'FLUX_MANAGED_ELSEWHERE');
    const dryForced = await dryRun({ ...dryOptions, force: true });
    capture(dryForced);

    const forced = await cli(['--force'], controllers.watch(ns));
    assert.equal(forced.code, 0, forced.stderr + forced.stdout);
    const again = await cli([], controllers.watch(ns));
    assert.equal(again.code, 0, again.stderr + again.stdout);

    for (const path of [crdPath, deploymentPath]) {
      const { metadata } = (await getObject(world.cluster, path)).body;
      assert.equal(metadata.labels?.['app.kubernetes.io/managed-by'], undefined, `${path} keeps Helm's label`);
      assert.deepEqual(
        Object.keys(metadata.annotations ?? {}).filter((k) => k.startsWith('meta.helm.sh/')),
        [],
        `${path} keeps Helm's annotations`,
      );
    }
    assert.equal((await getObject(world.cluster, releasePath)).status, 404, "Helm's release Secret is gone");
  } finally {
    // The CRD is shared by every test's namespace: never leave it marked.
    await markCrd({ 'app.kubernetes.io/managed-by': null }, { 'meta.helm.sh/release-name': null, 'meta.helm.sh/release-namespace': null });
  }
});

test('uninstall removes Flux from the cluster and leaves the repository alone', async () => {
  const ns = 'tok-env';
  const repo = world.git.repoDir('org', 'project', ns);
  // Flux's real controllers of the first test still run there, holding their finalizers on the
  // GitRepository and the Kustomization.
  const running = await controllers.running(ns);
  assert.ok(running, 'the controllers of the first bootstrap still run');
  const fluxObjects = [
    `/apis/source.toolkit.fluxcd.io/v1/namespaces/${ns}/gitrepositories/${ns}`,
    `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ns}/kustomizations/${ns}`,
  ];
  for (const path of fluxObjects) {
    const { body } = await getObject(world.cluster, path);
    assert.ok((body.metadata.finalizers ?? []).length > 0, `${path}: the controller put its finalizer on`);
  }
  const tips = refs(repo);
  const res = record(
    await runCli(['uninstall', '--silent', '--keep-namespace', `--namespace=${ns}`, `--kubeconfig=${world.cluster.kubeconfigPath}`]),
  );
  assert.equal(res.code, 0, res.stderr);
  assert.equal((await getObject(world.cluster, `/apis/apps/v1/namespaces/${ns}/deployments/source-controller`)).status, 404);
  // Nothing is left stuck on a finalizer: both Flux objects are gone, not Terminating.
  for (const path of fluxObjects) {
    await eventually(`${path} deleted`, async () => {
      const got = await getObject(world.cluster, path);
      return { ok: got.status === 404, detail: `${got.status} ${JSON.stringify(got.body?.metadata?.finalizers)}` };
    });
  }
  // The Deployments are gone, so are the controllers' processes (as their pods would be).
  await eventually('the controllers stopped with their Deployments', async () => {
    const alive = Object.entries(running.processes).filter(([, p]) => p.child.exitCode === null && p.child.signalCode === null);
    return { ok: alive.length === 0, detail: alive.map(([name]) => name).join(', ') };
  });
  // Other tests' GitRepositories (with Flux's finalizers and no controller to clear them) keep
  // the CRD terminating here; deleted or terminating both mean uninstall asked for it.
  const crd = await getObject(
    world.cluster,
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gitrepositories.source.toolkit.fluxcd.io',
  );
  assert.ok(crd.status === 404 || crd.body.metadata.deletionTimestamp, 'the CRD is deleted');
  assert.deepEqual(refs(repo), tips);
  await assertNoLeaksInTest({ repos: [repo] });
});

test('the leak scan sees this cluster: a PAT planted in a ConfigMap, or a Secret other than the Git Secret, is found', async () => {
  // A scan that cannot fail proves nothing: against the real apiserver, through discovery.
  const { kubeRequest } = await import('../harness/cluster.mjs');
  const ns = 'leak-planted';
  const admin = world.cluster.admin;
  const create = async (path, body) => assert.ok((await kubeRequest(admin, 'POST', path, body)).status < 300, path);
  await create('/api/v1/namespaces', { metadata: { name: ns } });
  try {
    await create(`/api/v1/namespaces/${ns}/configmaps`, {
      metadata: { name: 'planted' },
      data: { auth: Buffer.from(`git:${world.pat}`).toString('base64') },
    });
    captured.push('clean');
    await assert.rejects(assertNoLeaksInTest(), /PAT #0 \(Basic git:\) in ConfigMap leak-planted\/planted/);
    await kubeRequest(admin, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/planted`);
    await create(`/api/v1/namespaces/${ns}/secrets`, { metadata: { name: 'flux-system-copy' }, stringData: { password: world.pat } });
    captured.push('clean');
    await assert.rejects(assertNoLeaksInTest(), /in Secret leak-planted\/flux-system-copy/);
  } finally {
    // No namespace controller runs here (a deleted namespace keeps its objects, Terminating), so
    // the planted objects go one by one: the later tests' scans must not find them.
    await kubeRequest(admin, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/planted`);
    await kubeRequest(admin, 'DELETE', `/api/v1/namespaces/${ns}/secrets/flux-system-copy`);
    await kubeRequest(admin, 'DELETE', `/api/v1/namespaces/${ns}`);
  }
});

test('a re-run with another --path than the cluster syncs from is refused with PATH_CONFLICT before anything changes', async () => {
  const ns = 'tok-path';
  const first = await cliTokenBootstrap(ns, { GIT_PASSWORD: world.pat });
  assert.equal(first.code, 0, first.stderr);
  const repo = world.git.repoDir('org', 'project', ns);
  const before = refs(repo);
  const secretBefore = await secretData(ns);
  const args = tokenFlags(world.git.repoUrl('org', 'project', ns), ns).map((a) =>
    a.startsWith('--path=') ? '--path=clusters/prod eu' : a,
  );
  const res = record(await runCli(args, { env: { GIT_PASSWORD: world.pat } }));
  assert.equal(res.code, 1);
  const error = jsonEvents(res.stdout).find((e) => e.type === 'error');
  assert.equal(error.code, 'PATH_CONFLICT');
  assert.deepEqual(error.done, [], 'nothing was done');
  assert.deepEqual(refs(repo), before, 'nothing was pushed');
  assert.deepEqual(await secretData(ns), secretBefore, 'the Secret is untouched');
  await assertNoLeaksInTest({ repos: [repo] });
});

test('an existing kustomization.yaml whose patches the tool cannot extend safely: KUSTOMIZATION_NOT_PATCHABLE before anything changes', async () => {
  const { sshd, cluster } = world;
  const ns = 'ssh-unpatchable';
  const repo = sshd.createRepo('org', 'project', ns);
  const seed = await mkdtemp(join(work, 'seed-'));
  const gitc = (...a) =>
    execFileSync('git', ['-C', seed, ...a], {
      env: { ...process.env, GIT_AUTHOR_NAME: 'u', GIT_AUTHOR_EMAIL: 'u@x', GIT_COMMITTER_NAME: 'u', GIT_COMMITTER_EMAIL: 'u@x' },
    });
  gitc('init', '-q', '-b', 'main');
  execFileSync('mkdir', ['-p', join(seed, `clusters/my-cluster/${ns}`)]);
  // A quoted key is valid YAML that kustomize reads, but no text edit can be proven safe here.
  await writeFile(
    join(seed, `clusters/my-cluster/${ns}/kustomization.yaml`),
    'resources:\n- gotk-components.yaml\n- gotk-sync.yaml\n"patches":\n- path: limits.yaml\n',
  );
  gitc('add', '.');
  gitc('commit', '-qm', 'user setup');
  gitc('push', '-q', repo, 'main');
  const before = refs(repo);
  const keyFile = join(work, 'id_unpatchable');
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-C', '', '-f', keyFile]);
  sshd.addAuthorizedKey(await readFile(`${keyFile}.pub`, 'utf8'));
  const events = [];
  await assert.rejects(
    inPrivateTmp(() =>
      bootstrap(
        {
          url: sshd.repoUrl('org', 'project', ns),
          path: 'clusters/my-cluster',
          namespace: ns,
          privateKeyFile: keyFile,
          sshHostkeyAlgos: ['rsa-sha2-512', 'rsa-sha2-256'],
          kubeconfig: cluster.kubeconfigPath,
          manifests: bundleDir,
          silent: true,
          timeout: '2m',
        },
        { onEvent: (e) => (capture(e), events.push(e)) },
      ),
    ),
    (err) => (capture(err), err.code === 'KUSTOMIZATION_NOT_PATCHABLE'),
  );
  assert.deepEqual(events.find((e) => e.type === 'error')?.done, [], 'nothing was done');
  assert.deepEqual(refs(repo), before, 'nothing was pushed');
  assert.equal((await getObject(cluster, `/api/v1/namespaces/${ns}`)).status, 404, 'nothing was created in the cluster');
  await assertNoLeaksInTest({
    repos: [repo],
    privateKeys: [await readFile(keyFile, 'utf8')],
    publicKeys: [await readFile(`${keyFile}.pub`, 'utf8')],
  });
});
