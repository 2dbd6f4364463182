// The VS Code extension inside a REAL VS Code: code-server (tests/vscode-real/install.sh) with the
// built .vsix installed, driven in headless chromium through the command palette, the multi-step
// input, notifications and dialogs, on the oldest VS Code engines.vscode accepts (Code 1.100.3)
// and a current one (Code 1.117.0). Against the Azure-DevOps-like HTTPS Git server, the test
// kube-apiserver and Flux's real source-/kustomize-controller started from the Deployments the
// bootstrap applied. Screenshots of every step: tests/out/vscode-real/<build>/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { kubeRequest } from '../harness/cluster.mjs';
import { controllersBinDir, startFluxControllers } from '../harness/controllers.mjs';
import { bundleDir, cliPath, git, refs } from '../e2e/support/bootstrap-env.mjs';
import { assertNoLeaks, bareReposUnder } from '../e2e/support/leak-scan.mjs';
import { selectedBuilds } from './builds.mjs';
import { openWorkbench } from './workbench.mjs';
import { COMPONENTS, outputChannelLog, PATH_IN_REPO, startBuildWorld } from './world.mjs';

const NS = 'flux-system';
const TOKEN = 'Personal Access Token over HTTPS';
const FILES = ['gotk-components.yaml', 'gotk-sync.yaml', 'kustomization.yaml'];
const binDir = controllersBinDir();
const fluxAzdo = await import('../../npm/dist/index.js');

function invalidUrlMessage(text) {
  try {
    fluxAzdo.parseRepoUrl(text);
  } catch (err) {
    assert.equal(err.code, 'INVALID_URL');
    return err.message;
  }
  assert.fail(`${text} parsed`);
}

for (const build of selectedBuilds()) {
  describe(`code-server ${build.version} (VS Code ${build.code})`, () => {
    let env;
    let wb;
    const running = [];
    before(async () => {
      env = await startBuildWorld(build, 'vscode');
      wb = await openWorkbench(env.server, { name: build.version });
    });
    after(async () => {
      await wb?.close();
      await Promise.allSettled(running.map((c) => c.stop()));
      await env?.stop();
    });

    const get = (path) => kubeRequest(env.world.cluster.admin, 'GET', path);
    const context = () => /^current-context: (\S+)$/m.exec(readFileSync(env.world.cluster.kubeconfigPath, 'utf8'))[1];

    test('runs the extension the .vsix installed, in the VS Code it claims', async () => {
      const log = env.server.logText();
      assert.match(log, new RegExp(`Code ${build.code.replace(/\./g, '\\.')}|${build.version.replace(/\./g, '\\.')}`));
      await wb.screenshot('workbench');
    });

    test('Preview Bootstrap Files: the remote is offered, Back works, the files are --export’s byte for byte', async () => {
      await wb.runCommand('Flux for Azure DevOps: Preview Bootstrap Files');
      const url = await wb.quickInputFor(/Repository URL/);
      // The workspace is a clone of an Azure DevOps repository: its remote is the first answer.
      assert.equal(url.value, env.ws.url);
      assert.match(url.title, /1\/5/, 'a step counter');
      assert.equal(url.back, false, 'no Back on the first step');
      await wb.screenshot('preview-url-from-remote');
      await wb.screenshotOf(wb.quickInput, 'url-from-remote');
      // An invalid URL keeps the box open with the core's message.
      const message = await wb.validationFor(/Repository URL/, 'dev.azure.com/contoso');
      assert.equal(message, invalidUrlMessage('dev.azure.com/contoso'), "the core's INVALID_URL message");
      await wb.screenshot('preview-invalid-url');
      await wb.submit(env.ws.url);
      const branch = await wb.answer(/Branch the cluster syncs/, 'typo');
      assert.match(branch.title, /2\/5/);
      assert.equal(branch.back, true);
      // Back from the path returns to the branch, with the answer given.
      const path = await wb.quickInputFor(/Path in the repository/);
      assert.match(path.title, /3\/5/);
      await wb.back();
      const again = await wb.quickInputFor(/Branch the cluster syncs/);
      assert.equal(again.value, 'typo');
      await wb.screenshot('preview-back-to-branch');
      await wb.answer(/Branch the cluster syncs/, 'main');
      await wb.answer(/Path in the repository/, PATH_IN_REPO);
      await wb.pick(/How the cluster authenticates/, TOKEN, 'preview-auth');
      await wb.pick(/Preview the files, or compare/, 'Open the files');
      await wb.waitVisible(wb.page.locator('.tabs-container .tab', { hasText: 'kustomization.yaml' }), 'preview tabs');
      await wb.screenshot('preview-files');

      const out = mkdtempSync(join(tmpdir(), 'flux-azdo-real-export-'));
      try {
        execFileSync(process.execPath, [
          cliPath,
          'bootstrap',
          'git',
          `--url=${env.ws.url}`,
          '--branch=main',
          `--path=${PATH_IN_REPO}`,
          '--token-auth',
          `--manifests=${bundleDir}`,
          `--components=${COMPONENTS.join(',')}`,
          `--export=${out}`,
        ]);
        for (const name of FILES) {
          const shown = await wb.editorText(name);
          const exported = readFileSync(join(out, PATH_IN_REPO, NS, name), 'utf8');
          assert.ok(
            shown === exported,
            `${name} in the editor is byte-identical to --export's (${shown.length} vs ${exported.length} chars)`,
          );
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });

    /** Answers Bootstrap Cluster… up to the progress notification; the URL and path come remembered. */
    async function startBootstrap(pat, remember, label) {
      await wb.runCommand('Flux for Azure DevOps: Bootstrap Cluster…');
      const url = await wb.quickInputFor(/Repository URL/);
      assert.equal(url.value, env.ws.url, 'the last answer in this workspace');
      await wb.answer(/Repository URL/, url.value);
      const branch = await wb.quickInputFor(/Branch the cluster syncs/);
      assert.equal(branch.value, 'main');
      await wb.answer(/Branch the cluster syncs/, 'main');
      const path = await wb.quickInputFor(/Path in the repository/);
      assert.equal(path.value, PATH_IN_REPO, 'remembered');
      await wb.answer(/Path in the repository/, PATH_IN_REPO);
      await wb.pick(/How the cluster authenticates/, TOKEN);
      await wb.pick(/How flux-azdo pushes the bootstrap commits/, 'Personal Access Token');
      const box = await wb.quickInputFor(/Personal Access Token for/);
      assert.equal(box.password, true, 'a password box');
      assert.match(box.title, /6\/7/);
      await wb.answer(/Personal Access Token for/, pat, `${label}-pat`);
      await wb.pick(/Remember the token/, remember ? 'Remember it in VS Code' : 'Use it this time only');
      await wb.pick(/Kubernetes context/, context(), `${label}-context`);
    }

    test('a refused token ends in an error message carrying AUTH_FAILED, and nothing is pushed', async () => {
      await startBootstrap('not-the-pat', false, 'bad-token');
      const toast = await wb.notification(/Bootstrap failed/, { expectError: true, timeoutMs: 120_000 });
      assert.match(toast.text, /\(AUTH_FAILED\)/);
      await wb.screenshot('bad-token-error');
      await wb.screenshotOf(toast.locator, 'error-code');
      await wb.clickToastButton(toast.locator, 'Show Log');
      assert.ok(!toast.text.includes(env.world.pat));
      assert.equal(git(env.world.git.repoDir('org', 'project', 'vscode'), 'rev-list', '--count', 'main'), '1', 'only the initial commit');
      await wb.page.keyboard.press('Escape');
    });

    test('Cancel on the progress notification stops with a CANCELLED warning, no error', async () => {
      await startBootstrap(env.world.pat, false, 'cancel');
      const progress = await wb.notification(/Bootstrapping Flux/);
      await wb.clickToastButton(progress.locator, 'Cancel');
      const warning = await wb.notification(/was cancelled/, { timeoutMs: 120_000 });
      assert.match(warning.text, /\(CANCELLED\)/);
      await wb.screenshot('cancelled');
      await wb.guard('after cancel');
      await wb.clickToastButton(warning.locator, 'Show Log');
      await wb.page.keyboard.press('Escape');
    });

    test('Bootstrap Cluster…: the progress shows the steps, Flux’s controllers reconcile, the PAT is in no file', async () => {
      const controllers = startFluxControllers(env.world.cluster, { namespace: NS, binDir, waitForDeploymentsMs: 240_000 });
      controllers.then(
        (c) => running.push(c),
        () => {},
      );
      await startBootstrap(env.world.pat, true, 'bootstrap');
      const seen = new Set();
      const all = new Set();
      let shot = false;
      const done = wb.notification(/Flux is bootstrapped/, { timeoutMs: 300_000 });
      const watching = (async () => {
        for (let settled = false; !settled; ) {
          settled = await Promise.race([
            done.then(
              () => true,
              () => true,
            ),
            new Promise((r) => setTimeout(() => r(false), 200)),
          ]);
          for (const text of await wb.toastTexts().catch(() => [])) {
            all.add(text);
            if (!text.includes('Bootstrapping Flux')) continue;
            seen.add(text);
            if (!shot && /apply|reconcile|wait/i.test(text)) {
              shot = true;
              await wb.screenshot('bootstrap-progress');
              await wb
                .screenshotOf(wb.page.locator('.notifications-toasts .notification-toast', { hasText: 'Bootstrapping Flux' }), 'progress')
                .catch(() => {});
            }
          }
        }
      })();
      const toast = await done;
      await watching;
      await wb.screenshot('bootstrap-done');
      const tip = git(env.world.git.repoDir('org', 'project', 'vscode'), 'rev-parse', 'main');
      assert.match(toast.text, new RegExp(`main@sha1:${tip}`));
      assert.ok(seen.size >= 3, `the progress notification showed the steps: ${[...all].join(' | ')}`);
      await controllers;

      const repo = (await get(`/apis/source.toolkit.fluxcd.io/v1/namespaces/${NS}/gitrepositories/${NS}`)).body;
      assert.equal(repo.status.artifact.revision, `main@sha1:${tip}`, 'source-controller fetched the pushed revision');
      const ks = (await get(`/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${NS}/kustomizations/${NS}`)).body;
      assert.equal(ks.status.lastAppliedRevision, `main@sha1:${tip}`);

      // The PAT: in no settings file, log, output channel, workspace file, temp file, argv or
      // environment of code-server's processes, pushed object, or cluster object but the Secret.
      const log = outputChannelLog(env.server);
      assert.match(log, /==> /, 'the output channel is persisted under user-data (so the scan reads it)');
      await assertNoLeaks(
        { pats: [env.world.pat] },
        {
          dirs: [env.server.root, env.ws.dir],
          values: [log, env.server.logText(), await wb.toastTexts()],
          processes: env.server.processes(),
          repos: bareReposUnder(env.world.git.repoDir('org', 'project', 'vscode').split('/').slice(0, -3).join('/')),
          cluster: { get, allowedSecrets: [`${NS}/${NS}`] },
        },
      );
    });

    test('Compare after the bootstrap: the remembered token is offered and nothing would change', async () => {
      await wb.runCommand('Flux for Azure DevOps: Preview Bootstrap Files');
      await wb.answer(/Repository URL/, env.ws.url);
      await wb.answer(/Branch the cluster syncs/, 'main');
      await wb.answer(/Path in the repository/, PATH_IN_REPO);
      await wb.pick(/How the cluster authenticates/, TOKEN);
      await wb.pick(/Preview the files, or compare/, 'Compare with repository and cluster');
      // SecretStorage kept the token that worked.
      await wb.pick(/A Personal Access Token for .* is remembered/, 'Use the remembered token', 'compare-remembered-token');
      await wb.pick(/Kubernetes context/, context());
      await wb.waitVisible(wb.page.locator('.tabs-container .tab', { hasText: 'bootstrap-plan.diff' }), 'the dry-run diff', 120_000);
      await wb.screenshot('compare-no-change');
      const plan = await wb.editorText('bootstrap-plan.diff');
      for (const name of FILES) assert.match(plan, new RegExp(`^# ${PATH_IN_REPO}/${NS}/${name.replace('.', '\\.')}: unchanged$`, 'm'));
      assert.doesNotMatch(plan, /^[+-][^+-]/m, 'no diff lines');
    });

    test('Forget a Remembered Token: the next run asks for the token again', async () => {
      await wb.runCommand('Flux for Azure DevOps: Forget a Remembered Token');
      await wb.pick(/remembered Personal Access Token to forget/, '127.0.0.1', 'forget-token');
      await wb.notification(/is forgotten/);
      await wb.runCommand('Flux for Azure DevOps: Preview Bootstrap Files');
      await wb.answer(/Repository URL/, env.ws.url);
      await wb.answer(/Branch the cluster syncs/, 'main');
      await wb.answer(/Path in the repository/, PATH_IN_REPO);
      await wb.pick(/How the cluster authenticates/, TOKEN);
      await wb.pick(/Preview the files, or compare/, 'Compare with repository and cluster');
      const box = await wb.quickInputFor(/Personal Access Token for|is remembered/);
      assert.equal(box.password, true, 'the password box, not the remembered token');
      await wb.page.keyboard.press('Escape');
    });

    test('the Explorer entry on a folder offers its path in the repository', async () => {
      const row = wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'clusters' }).first();
      await wb.waitVisible(row, 'the clusters folder in the Explorer', 60_000);
      await row.click();
      const staging = wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'staging' }).first();
      await wb.waitVisible(staging, 'clusters/staging in the Explorer');
      await staging.click({ button: 'right' });
      const item = wb.page.locator('.context-view .action-label', { hasText: 'Bootstrap Cluster From This Folder' });
      await wb.waitVisible(item, 'the context menu entry');
      await wb.screenshot('explorer-context-menu');
      await item.click();
      const url = await wb.quickInputFor(/Repository URL/);
      assert.equal(url.value, env.ws.url);
      await wb.answer(/Repository URL/, url.value);
      await wb.answer(/Branch the cluster syncs/, 'main');
      const path = await wb.quickInputFor(/Path in the repository/);
      assert.equal(path.value, 'clusters/staging');
      await wb.screenshot('explorer-path-offered');
      await wb.page.keyboard.press('Escape');
      assert.deepEqual(Object.keys(refs(env.world.git.repoDir('org', 'project', 'vscode'))), ['refs/heads/main']);
    });
    test('SSH: the deploy-key dialog shows the public key, Copy copies it, I Added It carries on', async () => {
      const { sshd } = env.world;
      const bare = sshd.createRepo('org', 'project', 'vscode-ssh');
      const sshUrl = sshd.repoUrl('org', 'project', 'vscode-ssh');
      await wb.runCommand('Flux for Azure DevOps: Bootstrap Cluster…');
      await wb.answer(/Repository URL/, sshUrl);
      await wb.answer(/Branch the cluster syncs/, 'main');
      await wb.answer(/Path in the repository/, PATH_IN_REPO);
      await wb.pick(/How the cluster authenticates/, 'SSH key');
      // An SSH push needs no token: the next step is the context, step 5 of 5.
      const ctx = await wb.quickInputFor(/Kubernetes context/);
      assert.match(ctx.title, /5\/5/);
      await wb.pick(/Kubernetes context/, context());
      const first = await wb.dialog(/Add the new deploy key/, 120_000);
      await wb.screenshot('ssh-deploy-key-dialog');
      await wb.screenshotOf(wb.page.locator('.monaco-dialog-box'), 'deploy-key');
      // The order on screen is the platform's (Linux puts the first button last): compare as a set.
      assert.deepEqual(first.buttons.filter((b) => b !== 'Cancel').sort(), ['Copy Public Key', 'I Added It']);
      const publicKey = /^(ssh-rsa \S+)/m.exec(first.detail)?.[1];
      assert.ok(publicKey, `the dialog shows the public key: ${first.detail}`);
      await first.click('Copy Public Key');
      const again = await wb.dialog(/Add the new deploy key/);
      assert.equal(await wb.page.evaluate(() => navigator.clipboard.readText()), publicKey, 'the public key is on the clipboard');
      // The user adds it in Azure DevOps: here, the sshd's authorized keys.
      sshd.addAuthorizedKey(`${publicKey}\n`);
      await again.click('I Added It');
      // The push went over SSH with the new key: both commits land on the branch.
      const deadline = Date.now() + 120_000;
      while (git(bare, 'rev-list', '--count', '--all') !== '2') {
        assert.ok(Date.now() < deadline, 'the two bootstrap commits were pushed over SSH');
        await new Promise((r) => setTimeout(r, 500));
      }
      await wb.notification(/Bootstrapping Flux/);
      // The cluster synced over HTTPS before (the token test): the new deploy key replaces the
      // token in the Secret, and Flux's real controllers fetch over SSH and apply it.
      // This run's notification, by its revision: the token test's may still be on screen.
      const tip = git(bare, 'rev-parse', 'main');
      const done = await wb.notification(new RegExp(`Flux is bootstrapped: .*main@sha1:${tip}`), { timeoutMs: 300_000 });
      assert.match(done.text, new RegExp(`main@sha1:${tip}`));
      await wb.screenshot('ssh-ready');
      const repo = (await get(`/apis/source.toolkit.fluxcd.io/v1/namespaces/${NS}/gitrepositories/${NS}`)).body;
      assert.match(repo.spec.url, /^ssh:\/\//);
      assert.equal(repo.status.artifact.revision, `main@sha1:${tip}`, 'source-controller fetched over SSH');
      const ks = (await get(`/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${NS}/kustomizations/${NS}`)).body;
      assert.equal(ks.status.lastAppliedRevision, `main@sha1:${tip}`);
      const secret = (await get(`/api/v1/namespaces/${NS}/secrets/${NS}`)).body.data;
      assert.equal(Buffer.from(secret['identity.pub'], 'base64').toString().trim(), publicKey, 'the key the dialog showed');
      assert.ok(!('password' in secret), "the token's keys are gone");
    });
  });
}
