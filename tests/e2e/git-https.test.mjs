// The Git half of bootstrap over HTTPS with a PAT, against the Azure-DevOps-like server
// (node:https + git http-backend, test CA). Build first: npm run build -w flux-azdo.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import { cloneForBootstrap, commitAndPush, commitFiles, listRepoFiles, readRepoFile, SecretValue } from '../../npm/dist/git/index.js';
import { startGitHttpsServer } from '../servers/git-https.mjs';
import {
  bootstrapFiles,
  fakePat,
  gitCli,
  gitEnv,
  rejection,
  remoteFile,
  remoteLog,
  remoteTip,
  secretForms,
} from './support/git-fixtures.mjs';
import { assertNoLeaks, bareReposUnder } from './support/leak-scan.mjs';

const FLUX = { name: 'Flux', email: '' };
const COMPONENTS_MESSAGE = 'Add Flux v2.9.4 component manifests';

const pat = fakePat('pat');
const readOnlyPat = fakePat('readonly');
const wrongPat = fakePat('wrong');
let server;
let work;
/** The errors and results the current test saw, and its clone folders: its leak scan's material. */
let seen = [];
let clones = [];
/** Over the whole file, so the after hook can tell the scans had something to look at. */
const scanned = { errors: 0, clones: 0 };

function tokenAuth(password = pat, username = 'git') {
  return { kind: 'token', username, password: new SecretValue(password) };
}

function newDir() {
  const dir = mkdtempSync(join(work, 'clone-'));
  clones.push(dir);
  return dir;
}

async function clone(repoUrl, extra = {}) {
  const dir = newDir();
  const result = await cloneForBootstrap({ url: repoUrl, branch: 'main', auth: tokenAuth(), caFile: server.caFile, dir, ...extra });
  seen.push(result);
  return result;
}

async function bootstrapPush(repoUrl, files, extra = {}) {
  const cloned = await clone(repoUrl, extra);
  const result = await commitAndPush({
    url: repoUrl,
    auth: tokenAuth(),
    caFile: server.caFile,
    dir: cloned.dir,
    files,
    message: COMPONENTS_MESSAGE,
    author: FLUX,
  });
  seen.push(result);
  return { cloned, result };
}

async function expectCode(fn, code) {
  const err = await rejection(fn);
  seen.push(err);
  assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
  return err;
}

/** The git CLI as a second pusher, authenticated like any client of the server. */
function cliGitArgs() {
  const header = `Authorization: Basic ${Buffer.from(`someone:${pat}`).toString('base64')}`;
  return ['-c', `http.extraHeader=${header}`, '-c', `http.sslCAInfo=${server.caFile}`];
}

async function racePush(repoUrl, path, content, cloneArgs = []) {
  const dir = mkdtempSync(join(work, 'racer-'));
  await gitCli([...cliGitArgs(), 'clone', '--quiet', ...cloneArgs, repoUrl, dir]);
  await gitCli(['-C', dir, 'checkout', '--quiet', '-B', 'main']);
  const { writeFileSync, mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), content);
  await gitCli(['-C', dir, 'add', '.']);
  await gitCli(['-C', dir, 'commit', '--quiet', '-m', 'Racing commit']);
  await gitCli([...cliGitArgs(), '-C', dir, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
  return gitCli(['-C', dir, 'rev-parse', 'HEAD']);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'flux-azdo-git-https-test-'));
  server = await startGitHttpsServer({ pat, readOnlyPat });
});

// Each test's leak scan runs as part of that test (a failing afterEach fails the test it follows):
// the PATs, in every encoded form, in none of its results and errors, none of its clone folders
// and no object of any repository on the server.
afterEach(async () => {
  const items = seen;
  const dirs = clones;
  seen = [];
  clones = [];
  scanned.errors += items.filter((item) => item instanceof Error).length;
  scanned.clones += dirs.length;
  const root = dirname(dirname(dirname(server.repoDir('o', 'p', 'r'))));
  await assertNoLeaks(
    { pats: [pat, readOnlyPat, wrongPat], usernames: ['git', 'someone'] },
    { values: items, dirs, repos: bareReposUnder(root) },
  );
  for (const dir of dirs) {
    if (existsSync(join(dir, '.git', 'config'))) assert.doesNotMatch(readFileSync(join(dir, '.git', 'config'), 'utf8'), /fake-|@/);
  }
});

after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  // After stopping the server: a failed check must not leave it running (the file would hang).
  assert.ok(scanned.errors > 0, 'errors were captured and scanned');
  assert.ok(scanned.clones > 5, 'clone folders were scanned');
});

describe('cloneForBootstrap + commitAndPush over HTTPS', () => {
  test('an empty repo (as Azure DevOps creates them) gets a fresh history on the branch', async () => {
    const url = server.repoUrl('org', 'proj', 'empty');
    const bare = server.createRepo('org', 'proj', 'empty', { empty: true });
    const files = bootstrapFiles();
    const { cloned, result } = await bootstrapPush(url, files);
    assert.equal(cloned.empty, true);
    assert.equal(cloned.head, null);
    assert.equal(result.pushed, true);
    assert.equal(await remoteTip(bare), result.sha);
    const log = await remoteLog(bare);
    assert.equal(log.length, 1);
    assert.deepEqual(log[0], { sha: result.sha, parents: [], author: 'Flux <>', subject: COMPONENTS_MESSAGE });
    assert.equal(await gitCli(['-C', bare, 'log', '-1', '--format=%cn <%ce>']), 'Flux <>');
    // As go-git writes it (so Flux): the message exactly as given, no newline added.
    const raw = execFileSync('git', ['-C', bare, 'cat-file', 'commit', result.sha], { encoding: 'utf8' });
    assert.match(
      raw,
      /^tree [0-9a-f]{40}\nauthor Flux <> \d+ [+-]\d{4}\ncommitter Flux <> \d+ [+-]\d{4}\n\nAdd Flux v2\.9\.4 component manifests$/,
    );
    for (const file of files) assert.equal(await remoteFile(bare, 'main', file.path), file.content.trimEnd());
    await gitCli(['-C', bare, 'fsck', '--strict']);
  });

  test('a repo with unrelated content keeps it; the commit goes on top', async () => {
    const url = server.repoUrl('org', 'proj', 'unrelated');
    const bare = server.createRepo('org', 'proj', 'unrelated', { empty: false });
    const before = await remoteTip(bare);
    const { cloned, result } = await bootstrapPush(url, bootstrapFiles());
    assert.equal(cloned.empty, false);
    assert.equal(cloned.head, before);
    assert.equal(cloned.shallow, true, 'git http-backend advertises shallow, so the clone is depth 1');
    assert.ok(existsSync(join(cloned.dir, '.git', 'shallow')));
    const log = await remoteLog(bare);
    assert.deepEqual(
      log.map((c) => c.sha),
      [result.sha, before],
    );
    assert.deepEqual(log[0].parents, [before]);
    assert.match(await remoteFile(bare, 'main', 'README.md'), /# unrelated/);
    assert.deepEqual(await listRepoFiles(cloned.dir, 'clusters/my-cluster/flux-system'), [
      'clusters/my-cluster/flux-system/gotk-components.yaml',
      'clusters/my-cluster/flux-system/gotk-sync.yaml',
      'clusters/my-cluster/flux-system/kustomization.yaml',
    ]);
    assert.equal(Buffer.from(await readRepoFile(cloned.dir, 'README.md')).toString(), '# unrelated\n');
    assert.equal(await readRepoFile(cloned.dir, 'no/such/file'), null);
  });

  test('a remote HEAD naming a deleted branch (a default-branch rename) does not matter: --branch main is cloned and pushed', async () => {
    const url = server.repoUrl('org', 'proj', 'dangling-head');
    const bare = server.createRepo('org', 'proj', 'dangling-head', { empty: false });
    await gitCli(['-C', bare, 'symbolic-ref', 'HEAD', 'refs/heads/gone']);
    const before = await remoteTip(bare);
    const { cloned, result } = await bootstrapPush(url, bootstrapFiles());
    assert.equal(cloned.head, before);
    assert.equal(result.pushed, true);
    assert.deepEqual((await remoteLog(bare))[0].parents, [before]);
    // The re-fetch after a racing push goes through the same advertisement.
    // `--branch main`: a plain `git clone` checks out nothing where HEAD names a deleted branch.
    const theirs = await racePush(url, 'apps/app.yaml', 'kind: Other\n', ['--branch', 'main']);
    const again = await commitAndPush({
      url,
      auth: tokenAuth(),
      caFile: server.caFile,
      dir: cloned.dir,
      files: [{ path: 'apps/ours.yaml', content: 'kind: Ours\n' }],
      message: 'Ours',
      author: FLUX,
    });
    assert.equal(again.pushed, true);
    assert.deepEqual((await remoteLog(bare))[0].parents, [theirs]);
    assert.equal(await gitCli(['-C', bare, 'symbolic-ref', 'HEAD']), 'refs/heads/gone');
  });

  test('a re-run with nothing changed makes no commit and no push', async () => {
    const url = server.repoUrl('org', 'proj', 'rerun');
    const bare = server.createRepo('org', 'proj', 'rerun', { empty: false });
    const first = await bootstrapPush(url, bootstrapFiles());
    const pushesBefore = server.stats.pushes;
    const second = await bootstrapPush(url, bootstrapFiles());
    assert.equal(second.result.pushed, false);
    assert.equal(second.result.sha, first.result.sha);
    assert.equal(server.stats.pushes, pushesBefore, 'no receive-pack POST');
    assert.equal((await remoteLog(bare)).length, 2);
    // commitFiles alone says the same: nothing to commit.
    assert.equal(await commitFiles({ dir: second.cloned.dir, files: bootstrapFiles(), message: 'x', author: FLUX }), null);
  });

  test('a second pusher racing us (before our clone sees it): both commits survive', async () => {
    const url = server.repoUrl('org', 'proj', 'race');
    const bare = server.createRepo('org', 'proj', 'race', { empty: false });
    const cloned = await clone(url);
    const theirs = await racePush(url, 'apps/app.yaml', 'kind: Other\n');
    const pushesBefore = server.stats.pushes;
    const result = await commitAndPush({
      url,
      auth: tokenAuth(),
      caFile: server.caFile,
      dir: cloned.dir,
      files: bootstrapFiles(),
      message: COMPONENTS_MESSAGE,
      author: FLUX,
    });
    assert.equal(result.pushed, true);
    assert.equal(server.stats.pushes - pushesBefore, 1, 'the stale push was caught before sending it');
    const log = await remoteLog(bare);
    assert.equal(log[0].sha, result.sha);
    assert.deepEqual(log[0].parents, [theirs], 'our commit sits on the racing commit');
    assert.equal(await remoteFile(bare, 'main', 'apps/app.yaml'), 'kind: Other');
    assert.match(await remoteFile(bare, 'main', 'clusters/my-cluster/flux-system/gotk-sync.yaml'), /sync/);
  });

  test('a second pusher landing between our ref discovery and our update (server-side rejection): retried, both survive', async () => {
    const url = server.repoUrl('org', 'proj', 'race2');
    const bare = server.createRepo('org', 'proj', 'race2', { empty: false });
    const cloned = await clone(url);
    const pushesBefore = server.stats.pushes;
    let theirs;
    server.faults.beforePush = async () => {
      theirs = await racePush(url, 'apps/late.yaml', 'kind: Late\n');
    };
    const result = await commitAndPush({
      url,
      auth: tokenAuth(),
      caFile: server.caFile,
      dir: cloned.dir,
      files: bootstrapFiles(),
      message: COMPONENTS_MESSAGE,
      author: FLUX,
    });
    assert.ok(theirs, 'the racing push ran');
    assert.equal(server.stats.pushes - pushesBefore, 3, 'ours refused by the server, theirs, ours again');
    assert.equal(result.pushed, true);
    const log = await remoteLog(bare);
    assert.equal(log[0].sha, result.sha);
    assert.deepEqual(log[0].parents, [theirs]);
    assert.equal(await remoteFile(bare, 'main', 'apps/late.yaml'), 'kind: Late');
  });

  test('racing pushers that never stop: NON_FAST_FORWARD after the bounded retries, nothing forced', async () => {
    const url = server.repoUrl('org', 'proj', 'race3');
    const bare = server.createRepo('org', 'proj', 'race3', { empty: false });
    const cloned = await clone(url);
    let racers = 0;
    const arm = () => {
      server.faults.beforePush = async () => {
        racers += 1;
        await racePush(url, `apps/racer-${racers}.yaml`, `n: ${racers}\n`);
        arm();
      };
    };
    arm();
    await expectCode(
      () =>
        commitAndPush({
          url,
          auth: tokenAuth(),
          caFile: server.caFile,
          dir: cloned.dir,
          files: bootstrapFiles(),
          message: COMPONENTS_MESSAGE,
          author: FLUX,
          maxAttempts: 2,
        }),
      'NON_FAST_FORWARD',
    );
    server.faults.beforePush = undefined;
    const log = await remoteLog(bare);
    assert.equal(log.length, 1 + racers, 'every racing commit is there, none of ours replaced them');
    assert.ok(log.every((c) => c.subject !== COMPONENTS_MESSAGE));
  });

  test('the server dropping the connection mid-push: the remote keeps the old tip, a re-run converges', async () => {
    const url = server.repoUrl('org', 'proj', 'drop1');
    const bare = server.createRepo('org', 'proj', 'drop1', { empty: false });
    const before = await remoteTip(bare);
    server.faults.dropPushMidRequest = 1;
    const cloned = await clone(url);
    await expectCode(
      () =>
        commitAndPush({
          url,
          auth: tokenAuth(),
          caFile: server.caFile,
          dir: cloned.dir,
          files: bootstrapFiles(),
          message: COMPONENTS_MESSAGE,
          author: FLUX,
        }),
      'GIT_UNREACHABLE',
    );
    assert.equal(server.faults.dropPushMidRequest, 0, 'the fault fired');
    assert.equal(await remoteTip(bare), before);
    await gitCli(['-C', bare, 'fsck', '--strict']);
    const rerun = await bootstrapPush(url, bootstrapFiles());
    assert.equal(rerun.result.pushed, true);
    assert.deepEqual(
      (await remoteLog(bare)).map((c) => c.sha),
      [rerun.result.sha, before],
    );
  });

  test('the server dropping the connection after applying the push: the whole commit is there and counts as pushed', async () => {
    const url = server.repoUrl('org', 'proj', 'drop2');
    const bare = server.createRepo('org', 'proj', 'drop2', { empty: false });
    const before = await remoteTip(bare);
    server.faults.dropPushAfterUpdate = 1;
    const { result } = await bootstrapPush(url, bootstrapFiles());
    assert.equal(server.faults.dropPushAfterUpdate, 0, 'the fault fired');
    assert.equal(result.pushed, true);
    assert.equal(await remoteTip(bare), result.sha);
    assert.deepEqual((await remoteLog(bare))[0].parents, [before]);
    await gitCli(['-C', bare, 'fsck', '--strict']);
    const rerun = await bootstrapPush(url, bootstrapFiles());
    assert.equal(rerun.result.pushed, false);
    assert.equal(rerun.result.sha, result.sha);
  });

  test('a second pusher filling the empty repo first: our commit goes on top of theirs', async () => {
    const url = server.repoUrl('org', 'proj', 'emptyrace');
    const bare = server.createRepo('org', 'proj', 'emptyrace', { empty: true });
    const cloned = await clone(url);
    assert.equal(cloned.empty, true);
    const theirs = await racePush(url, 'README.md', '# theirs\n');
    const result = await commitAndPush({
      url,
      auth: tokenAuth(),
      caFile: server.caFile,
      dir: cloned.dir,
      files: bootstrapFiles(),
      message: COMPONENTS_MESSAGE,
      author: FLUX,
    });
    assert.equal(result.pushed, true);
    const log = await remoteLog(bare);
    assert.deepEqual(
      log.map((c) => c.sha),
      [result.sha, theirs],
    );
    assert.equal(await remoteFile(bare, 'main', 'README.md'), '# theirs');
  });

  test('an author with <, > or a line break is refused before anything is written', async () => {
    const url = server.repoUrl('org', 'proj', 'unrelated');
    const cloned = await clone(url);
    await expectCode(
      () => commitFiles({ dir: cloned.dir, files: bootstrapFiles(), message: 'm', author: { name: 'Evil <x>', email: '' } }),
      'INVALID_OPTION',
    );
    await expectCode(
      () => commitFiles({ dir: cloned.dir, files: bootstrapFiles(), message: 'm', author: { name: 'Flux', email: 'a\nb' } }),
      'INVALID_OPTION',
    );
  });

  test('cloning into a directory that is not empty is refused', async () => {
    const url = server.repoUrl('org', 'proj', 'unrelated');
    const dir = newDir();
    writeFileSync(join(dir, 'keep.txt'), 'mine\n');
    await expectCode(() => cloneForBootstrap({ url, branch: 'main', auth: tokenAuth(), caFile: server.caFile, dir }), 'IO');
    assert.equal(readFileSync(join(dir, 'keep.txt'), 'utf8'), 'mine\n');
  });

  test('a non-empty repo without the branch: BRANCH_NOT_FOUND, or created with createBranch', async () => {
    const url = server.repoUrl('org', 'proj', 'nobranch');
    const bare = server.createRepo('org', 'proj', 'nobranch', { empty: false });
    const main = await remoteTip(bare);
    await expectCode(
      () => cloneForBootstrap({ url, branch: 'flux', auth: tokenAuth(), caFile: server.caFile, dir: newDir() }),
      'BRANCH_NOT_FOUND',
    );
    const dir = newDir();
    const cloned = await cloneForBootstrap({ url, branch: 'flux', auth: tokenAuth(), caFile: server.caFile, dir, createBranch: true });
    assert.equal(cloned.createdBranch, true);
    assert.equal(cloned.head, main);
    const result = await commitAndPush({
      url,
      auth: tokenAuth(),
      caFile: server.caFile,
      dir,
      files: bootstrapFiles(),
      message: COMPONENTS_MESSAGE,
      author: FLUX,
    });
    assert.equal(await remoteTip(bare, 'flux'), result.sha);
    assert.deepEqual((await remoteLog(bare, 'flux'))[0].parents, [main]);
    assert.equal(await remoteTip(bare, 'main'), main, 'main untouched');
  });

  test('a wrong PAT: AUTH_FAILED', async () => {
    const url = server.repoUrl('org', 'proj', 'auth');
    server.createRepo('org', 'proj', 'auth', { empty: false });
    const err = await expectCode(
      () => cloneForBootstrap({ url, branch: 'main', auth: tokenAuth(wrongPat), caFile: server.caFile, dir: newDir() }),
      'AUTH_FAILED',
    );
    assert.equal(err.option, 'password');
  });

  test('a wrong PAT answered with an HTML sign-in page (HTTP 203, as Azure DevOps sometimes does): AUTH_FAILED', async () => {
    const url = server.repoUrl('org', 'proj', 'auth');
    server.faults.signInPageFor401 = true;
    try {
      await expectCode(
        () => cloneForBootstrap({ url, branch: 'main', auth: tokenAuth(wrongPat), caFile: server.caFile, dir: newDir() }),
        'AUTH_FAILED',
      );
    } finally {
      server.faults.signInPageFor401 = false;
    }
  });

  test('a repo that does not exist: REPO_NOT_FOUND', async () => {
    const url = server.repoUrl('org', 'proj', 'missing');
    await expectCode(
      () => cloneForBootstrap({ url, branch: 'main', auth: tokenAuth(), caFile: server.caFile, dir: newDir() }),
      'REPO_NOT_FOUND',
    );
  });

  test('a PAT without the Code (Read & Write) scope: clone works, push gets SCOPE_MISSING', async () => {
    const url = server.repoUrl('org', 'proj', 'scope');
    const bare = server.createRepo('org', 'proj', 'scope', { empty: false });
    const before = await remoteTip(bare);
    const dir = newDir();
    await cloneForBootstrap({ url, branch: 'main', auth: tokenAuth(readOnlyPat), caFile: server.caFile, dir });
    await expectCode(
      () =>
        commitAndPush({
          url,
          auth: tokenAuth(readOnlyPat),
          caFile: server.caFile,
          dir,
          files: bootstrapFiles(),
          message: COMPONENTS_MESSAGE,
          author: FLUX,
        }),
      'SCOPE_MISSING',
    );
    assert.equal(await remoteTip(bare), before);
  });

  test('a server certificate from an unknown CA: TLS_UNTRUSTED unless caFile is given', async () => {
    const url = server.repoUrl('org', 'proj', 'tls');
    server.createRepo('org', 'proj', 'tls', { empty: false });
    await expectCode(() => cloneForBootstrap({ url, branch: 'main', auth: tokenAuth(), dir: newDir() }), 'TLS_UNTRUSTED');
  });

  test('a URL with credentials in it is refused; a username-only URL (as Azure DevOps shows) works', async () => {
    const url = server.repoUrl('org', 'proj', 'userinfo');
    server.createRepo('org', 'proj', 'userinfo', { empty: false });
    const withPassword = url.replace('https://', `https://git:${pat}@`);
    await expectCode(
      () => cloneForBootstrap({ url: withPassword, branch: 'main', auth: tokenAuth(), caFile: server.caFile, dir: newDir() }),
      'INVALID_URL',
    );
    const cloned = await clone(url.replace('https://', 'https://org@'));
    assert.match(readFileSync(join(cloned.dir, '.git', 'config'), 'utf8'), new RegExp(`url = ${url.replace(/[.]/g, '\\.')}\\n`));
  });

  test('the server saw Azure DevOps-shaped traffic: upload-pack requests with multi_ack (it refuses others)', async () => {
    assert.ok(server.log.some((line) => line.startsWith('POST /org/proj/_git/') && line.endsWith('/git-upload-pack')));
    assert.ok(server.log.some((line) => line.endsWith('/git-receive-pack')));
    assert.equal(server.stats.multiAckRefused, 0);
    // The check is real: a want line without multi_ack is refused with Azure DevOps' TF401041.
    const { request } = await import('node:https');
    const want = 'want 0000000000000000000000000000000000000000 side-band-64k ofs-delta\n';
    const body = `${(want.length + 4).toString(16).padStart(4, '0')}${want}00000009done\n`;
    const status = await new Promise((resolve, reject) => {
      const req = request(
        `${server.repoUrl('org', 'proj', 'unrelated')}/git-upload-pack`,
        {
          method: 'POST',
          ca: server.caPem,
          headers: { authorization: `Basic ${Buffer.from(`git:${pat}`).toString('base64')}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(status, 400);
    assert.equal(server.stats.multiAckRefused, 1);
  });

  test('no PAT in what a program using the API prints: results, a caught error, an uncaught one', async () => {
    const url = server.repoUrl('org', 'proj', 'printed');
    server.createRepo('org', 'proj', 'printed', { empty: false });
    const script = join(work, 'print.mjs');
    writeFileSync(
      script,
      `
      import { cloneForBootstrap, commitAndPush, SecretValue } from ${JSON.stringify(new URL('../../npm/dist/git/index.js', import.meta.url).href)};
      const [url, caFile, work] = process.argv.slice(2);
      const auth = (secret) => ({ kind: 'token', username: 'git', password: new SecretValue(process.env[secret]) });
      const files = [{ path: 'a/b.yaml', content: 'x: 1\\n' }];
      const author = { name: 'Flux', email: '' };
      console.log(auth('PAT'), JSON.stringify(auth('PAT')), String(auth('PAT').password));
      const good = await cloneForBootstrap({ url, branch: 'main', auth: auth('PAT'), caFile, dir: work + '/good' });
      console.log(good, await commitAndPush({ url, auth: auth('PAT'), caFile, dir: work + '/good', files, message: 'm', author }));
      await cloneForBootstrap({ url, branch: 'main', auth: auth('READ_ONLY_PAT'), caFile, dir: work + '/ro' });
      try {
        await commitAndPush({ url, auth: auth('READ_ONLY_PAT'), caFile, dir: work + '/ro', files: [{ path: 'c.yaml', content: 'y' }], message: 'm', author });
      } catch (err) {
        console.error(err);
      }
      await cloneForBootstrap({ url, branch: 'main', auth: auth('WRONG_PAT'), caFile, dir: work + '/wrong' });
    `,
    );
    const printed = mkdtempSync(join(work, 'printed-'));
    const out = await new Promise((resolve) => {
      execFile(
        process.execPath,
        [script, url, server.caFile, printed],
        {
          env: { PATH: process.env.PATH, PAT: pat, READ_ONLY_PAT: readOnlyPat, WRONG_PAT: wrongPat },
        },
        (err, stdout, stderr) => resolve({ code: err?.code ?? 0, text: stdout + stderr }),
      );
    });
    assert.equal(out.code, 1, 'the wrong PAT ended the program');
    assert.match(out.text, /SCOPE_MISSING/);
    assert.match(out.text, /AUTH_FAILED/);
    assert.match(out.text, /SecretValue\(\*\*\*\)/);
    const needles = [pat, readOnlyPat, wrongPat].flatMap((secret) => secretForms(secret));
    for (const needle of needles) assert.ok(!out.text.includes(needle), 'a PAT was printed');
    seen.push(out.text);
    clones.push(printed);
  });
});

// gitEnv is re-exported for the benchmark and other tests; keep the import used.
void gitEnv;
