// "Sign in with Microsoft" and the pull request's link, in a REAL VS Code (code-server, both
// builds), against the Azure-DevOps-like HTTPS Git server with its REST subset (branch policies,
// pull requests) and Entra Bearer tokens, the Entra-shaped token service (tests/servers/entra),
// the test kube-apiserver and Flux's real source-/kustomize-controller.
//
// What is emulated: the built-in microsoft-authentication extension signs in at
// login.microsoftonline.com (unreachable here), so the TEST-ONLY provider in entra-sign-in/ takes
// the 'microsoft' id first (it activates at startup); VS Code's own prompt asks the user to allow the sign-in, and the token is a
// real one from the token service (client credentials stand in for the user's interactive sign-in).
// The Git server takes the cluster's PAT for reading only, so every push that lands went with
// the session's Bearer token.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';

import { kubeRequest, startCluster } from '../harness/cluster.mjs';
import { controllersBinDir, startFluxControllers } from '../harness/controllers.mjs';
import { startEntraTokenService } from '../servers/entra/index.mjs';
import { startGitHttpsServer } from '../servers/git-https.mjs';
import { git, history } from '../e2e/support/bootstrap-env.mjs';
import { assertNoLeaks, bareReposUnder } from '../e2e/support/leak-scan.mjs';
import { selectedBuilds } from './builds.mjs';
import { openWorkbench } from './workbench.mjs';
import { outputChannelLog, PATH_IN_REPO, startBuildWorld, testSignInVsix } from './world.mjs';

const NS = 'flux-system';
const TOKEN = 'Personal Access Token over HTTPS';
const binDir = controllersBinDir();

/** One HTTPS call with a JSON body; the answer's status and parsed body. */
function call(url, { method = 'GET', ca, headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The world of this file: one cluster, the token service, a Git server taking Entra tokens. */
async function startSignInWorld() {
  const clusterPat = `fake-pat-cluster-${randomBytes(12).toString('hex')}`;
  const reviewerPat = `fake-pat-reviewer-${randomBytes(12).toString('hex')}`;
  const [cluster, entra] = await Promise.all([startCluster(), startEntraTokenService()]);
  const gitServer = await startGitHttpsServer({
    readOnlyPat: clusterPat,
    users: [{ pat: reviewerPat, displayName: 'Reviewer' }],
    entra: { service: entra },
  });
  const user = entra.addServicePrincipal({ clientSecret: true });
  return {
    cluster,
    entra,
    git: gitServer,
    clusterPat,
    reviewerPat,
    user,
    async stop() {
      await Promise.allSettled([cluster.stop(), entra.stop(), gitServer.stop()]);
    },
  };
}

for (const build of selectedBuilds()) {
  describe(`code-server ${build.version} (VS Code ${build.code}): Sign in with Microsoft, the pull request link`, () => {
    let world;
    let env;
    let wb;
    let controllers;
    before(async () => {
      world = await startSignInWorld();
      const { entra, user } = world;
      env = await startBuildWorld(build, 'vscode-signin', {
        world,
        server: {
          moreVsix: [testSignInVsix()],
          env: {
            // The test provider's own sign-in (stands in for the user's at Entra): not the product's.
            FLUX_AZDO_TEST_ENTRA: JSON.stringify({
              authorityHost: entra.authorityHost,
              tenantId: user.tenantId,
              clientId: user.clientId,
              clientSecret: user.clientSecret,
              objectId: user.objectId,
              accountLabel: 'ada@contoso.example',
              caFile: entra.caFile,
            }),
          },
        },
      });
      wb = await openWorkbench(env.server, { name: `${build.version}-sign-in` });
    });
    after(async () => {
      await wb?.close();
      await controllers?.stop();
      await env?.stop();
    });

    const get = (path) => kubeRequest(world.cluster.admin, 'GET', path);
    const context = () => /^current-context: (\S+)$/m.exec(readFileSync(world.cluster.kubeconfigPath, 'utf8'))[1];

    /** Bootstrap Cluster… with the Microsoft sign-in push; the cluster reads with its own PAT. */
    async function startSignedIn(url, label) {
      await wb.runCommand('Flux for Azure DevOps: Bootstrap Cluster…');
      await wb.answer(/Repository URL/, url);
      await wb.answer(/Branch the cluster syncs/, 'main');
      await wb.answer(/Path in the repository/, PATH_IN_REPO);
      await wb.pick(/How the cluster authenticates/, TOKEN);
      await wb.pick(/How flux-azdo pushes the bootstrap commits/, 'Sign in with Microsoft', `${label}-push-choice`);
      // Token auth: the cluster still reads with a PAT (read-only here), as the core says.
      await wb.answer(/Personal Access Token for/, world.clusterPat);
      await wb.pick(/Remember the token/, 'Use it this time only');
      await wb.pick(/Kubernetes context/, context());
    }

    test('the sign-in prompt, the push with the session’s Entra token, Flux’s controllers reconcile; the token is kept nowhere', async () => {
      const starting = startFluxControllers(world.cluster, { namespace: NS, binDir, waitForDeploymentsMs: 240_000 });
      starting.then(
        (c) => (controllers = c),
        () => {},
      );
      const issuedBefore = world.entra.issued.length;
      await startSignedIn(env.ws.url, 'sign-in');
      // VS Code's own consent prompt for the extension's getSession(createIfNone).
      const prompt = await wb.dialog(/wants to sign in/, 120_000);
      assert.match(prompt.message, /Flux for Azure DevOps/);
      await wb.screenshot('sign-in-prompt');
      await wb.screenshotOf(wb.page.locator('.monaco-dialog-box'), 'sign-in');
      await prompt.click('Allow');
      const done = await wb.notification(/Flux is bootstrapped/, { timeoutMs: 300_000 });
      await wb.screenshot('sign-in-done');
      await starting;
      const bare = world.git.repoDir('org', 'project', 'vscode-signin');
      const tip = git(bare, 'rev-parse', 'main');
      assert.match(done.text, new RegExp(`main@sha1:${tip}`));
      assert.equal(history(bare).length, 3, 'the initial commit and the two bootstrap commits');
      assert.equal(world.git.stats.bearerRefused ?? 0, 0);
      const tokens = world.entra.issued.slice(issuedBefore).map((i) => i.token);
      assert.ok(tokens.length >= 1, 'the session’s token came from the token service');
      const repo = (await get(`/apis/source.toolkit.fluxcd.io/v1/namespaces/${NS}/gitrepositories/${NS}`)).body;
      assert.equal(repo.status.artifact.revision, `main@sha1:${tip}`, 'source-controller read with the cluster’s PAT');
      const secret = (await get(`/api/v1/namespaces/${NS}/secrets/${NS}`)).body.data;
      assert.equal(Buffer.from(secret.password, 'base64').toString(), world.clusterPat, 'the Secret holds the PAT, never the token');

      const log = outputChannelLog(env.server);
      assert.match(log, /==> /);
      await assertNoLeaks(
        { entraTokens: tokens },
        {
          dirs: [env.server.root, env.ws.dir],
          values: [log, env.server.logText(), await wb.toastTexts()],
          processes: env.server.processes(),
          repos: bareReposUnder(bare.split('/').slice(0, -3).join('/')),
          cluster: { get, allowedSecrets: [] },
        },
      );
    });

    test('a protected branch: Open a Pull Request Instead, the notification links the pull request and its button opens it', async () => {
      const name = 'vscode-protected';
      const bare = world.git.createRepo('org', 'project', name, { empty: false });
      world.git.rest.addPolicy('org', 'project', name, { branch: 'main', type: 'minimumApprovalCount', minimumApproverCount: 1 });
      const before = git(bare, 'rev-parse', 'main');
      await startSignedIn(world.git.repoUrl('org', 'project', name), 'pr');
      // The session is VS Code's now: no second prompt.
      const refused = await wb.notification(/Bootstrap failed/, { expectError: true, timeoutMs: 180_000 });
      assert.match(refused.text, /\(BRANCH_PROTECTED\)/);
      await wb.screenshot('pr-branch-protected');
      await wb.clickToastButton(refused.locator, 'Open a Pull Request Instead');

      const opened = await wb.notification(/Pull request \d+ is open/, { timeoutMs: 180_000 });
      const [, id, url] = /Pull request (\d+) is open: (\S+)/.exec(opened.text);
      assert.ok(url.endsWith(`/pullrequest/${id}`), url);
      await wb.screenshot('pr-open');
      await wb.screenshotOf(opened.locator, 'pull-request-open');
      assert.equal(await openedBy(() => wb.clickToastButton(opened.locator, 'Open Pull Request')), inBrowser(url));

      // A reviewer approves and completes it while the bootstrap waits for the merge.
      const ca = readFileSync(world.git.caFile);
      const reviewer = world.git.identities.find((u) => u.displayName === 'Reviewer');
      const asReviewer = (method, path, body) =>
        call(new URL(`${world.git.baseUrl}${path}?api-version=7.1`), {
          method,
          ca,
          headers: {
            Authorization: `Basic ${Buffer.from(`reviewer:${world.reviewerPat}`).toString('base64')}`,
            'Content-Type': 'application/json',
            Accept: 'application/json',
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      const prPath = `/org/project/_apis/git/repositories/${name}/pullRequests/${id}`;
      assert.equal((await asReviewer('PUT', `${prPath}/reviewers/${reviewer.id}`, { vote: 10 })).status, 200);
      const pr = await asReviewer('GET', prPath);
      assert.equal(pr.body.targetRefName, 'refs/heads/main');
      const completed = await asReviewer('PATCH', prPath, {
        status: 'completed',
        lastMergeSourceCommit: pr.body.lastMergeSourceCommit,
        completionOptions: { mergeStrategy: 'noFastForward' },
      });
      assert.equal(completed.status, 200, JSON.stringify(completed.body));

      // This run's success names its pull request (the sign-in test's may still be on screen).
      const done = await wb.notification(new RegExp(`Flux is bootstrapped: .*Pull request ${id}:`), { timeoutMs: 300_000 });
      const tip = git(bare, 'rev-parse', 'main');
      assert.notEqual(tip, before, 'main holds the merge');
      assert.match(done.text, new RegExp(`main@sha1:${tip}`));
      assert.ok(done.text.includes(url), `the success names the pull request: ${done.text}`);
      await wb.screenshot('pr-done');
      await wb.screenshotOf(done.locator, 'pull-request-done');
      assert.equal(await openedBy(() => wb.clickToastButton(done.locator, 'Open Pull Request')), inBrowser(url));
      const repo = (await get(`/apis/source.toolkit.fluxcd.io/v1/namespaces/${NS}/gitrepositories/${NS}`)).body;
      assert.equal(repo.status.artifact.revision, `main@sha1:${tip}`, 'the real source-controller fetched the merge');
    });

    /**
     * The address the browser is sent to for `url` by openExternal. code-server takes a loopback
     * URL for a port on its own machine and opens it through its port proxy
     * (`<server>/proxy/<port>/`, the path dropped; `--disable-proxy` does not change that); the
     * test servers are on loopback, a real pull request's URL (dev.azure.com) is opened as is.
     */
    const inBrowser = (url) => {
      const { hostname, port } = new URL(url);
      return hostname === '127.0.0.1' || hostname === 'localhost' ? `${env.server.url}/proxy/${port}/` : url;
    };

    /**
     * What a click opened in the browser (VS Code's openExternal → a new tab), answering VS Code's
     * "open the external website?" prompt for a domain it does not trust yet.
     */
    async function openedBy(click) {
      const tab = wb.browser.context.waitForEvent('page', { timeout: 60_000 });
      await click();
      const prompt = await Promise.race([tab.then(() => undefined), wb.dialog(/external website/, 30_000).catch(() => undefined)]);
      if (prompt) {
        await wb.screenshot('open-external-prompt');
        await prompt.click('Open');
      }
      const page = await tab;
      // The new tab starts at about:blank and is then sent to the link.
      for (let i = 0; i < 100 && page.url() === 'about:blank'; i++) await new Promise((r) => setTimeout(r, 100));
      const opened = page.url();
      await page.close();
      return opened;
    }
  });
}
