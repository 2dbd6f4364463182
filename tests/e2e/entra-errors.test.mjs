// What a user sees when an Entra push cannot go through, each as its typed code, before anything
// is pushed: no credential (and what was tried), a credential Entra refuses, a token Azure DevOps
// refuses (another audience, another tenant; 401 or the 203 sign-in page), an identity without
// access to the organisation, and flag combinations the core refuses.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { bootstrap } from '../../npm/dist/index.js';
import { startCluster } from '../harness/cluster.mjs';
import { startEntraTokenService } from '../servers/entra/index.mjs';
import { startGitHttpsServer } from '../servers/git-https.mjs';
import { bundleDir, jsonEvents, refs, runCli } from './support/bootstrap-env.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

let cluster;
let entra;
let git;
/** The organisation's members, read by the server at each request. */
const members = [];

before(async () => {
  [cluster, entra] = await Promise.all([startCluster(), startEntraTokenService()]);
  git = await startGitHttpsServer({ entra: { service: entra, members } });
});

after(async () => {
  await Promise.allSettled([cluster?.stop(), entra?.stop(), git?.stop()]);
});

const args = (ns, extra) => [
  'bootstrap',
  'git',
  `--url=${git.repoUrl('org', 'project', ns)}`,
  '--path=clusters/my-cluster',
  `--namespace=${ns}`,
  `--ca-file=${git.caFile}`,
  '--silent',
  `--kubeconfig=${cluster.kubeconfigPath}`,
  `--manifests=${bundleDir}`,
  '--timeout=1m',
  '--json',
  // The cluster would sync with a PAT (read from GIT_PASSWORD): no SSH host to scan, and the
  // push still goes with the Entra token only (the server takes no PAT).
  '--token-auth',
  ...extra,
];

const CLUSTER_PAT = `fake-pat-cluster-only-${Date.now()}-0123456789abcdef`;

function member(tenantId) {
  const sp = entra.addServicePrincipal({ clientSecret: true, ...(tenantId ? { tenantId } : {}) });
  members.push(sp.objectId);
  return sp;
}

const envFor = (sp, extra = {}) => ({
  NODE_EXTRA_CA_CERTS: entra.caFile,
  AZURE_AUTHORITY_HOST: entra.authorityHost,
  AZURE_TENANT_ID: sp.tenantId,
  AZURE_CLIENT_ID: sp.clientId,
  AZURE_CLIENT_SECRET: sp.clientSecret,
  GIT_PASSWORD: CLUSTER_PAT,
  ...extra,
});

/** Runs the CLI and returns its error event (the run must fail) and what it produced. */
async function failingRun(ns, extra, env) {
  const bare = git.createRepo('org', 'project', ns);
  const res = await runCli(args(ns, extra), { env });
  assert.equal(res.code, 1, `${res.stderr}\n${res.stdout}`);
  const events = jsonEvents(res.stdout);
  const error = events.find((e) => e.type === 'error');
  assert.ok(error, res.stdout);
  assert.deepEqual(refs(bare), {}, 'nothing was pushed');
  assert.deepEqual(error.done, [], 'nothing was changed');
  return { error, res, events, bare };
}

test('a token for another audience is refused by Azure DevOps (401): AUTH_TOKEN_REJECTED at the clone', async () => {
  const sp = member();
  entra.switches.wrongAudience = true;
  try {
    const { error, res, bare } = await failingRun('wrong-audience', ['--azure-credential=environment'], envFor(sp));
    assert.equal(error.code, 'AUTH_TOKEN_REJECTED');
    assert.equal(error.step, 'clone');
    await assertNoLeaks(
      {
        entraTokens: entra.issued.filter((i) => i.clientId === sp.clientId).map((i) => i.token),
        clientSecrets: [sp.clientSecret],
        pats: [CLUSTER_PAT],
      },
      { values: [res.stdout, res.stderr], repos: [bare], processes: res.processes, tmpDirs: [res.tmpDir] },
    );
  } finally {
    entra.switches.wrongAudience = false;
  }
});

test('the same refusal as Azure DevOps sometimes answers it, a 203 sign-in page, is AUTH_TOKEN_REJECTED too', async () => {
  const sp = member();
  entra.switches.wrongAudience = true;
  git.faults.signInPageFor401 = true;
  try {
    const { error } = await failingRun('sign-in-page', ['--azure-credential=environment'], envFor(sp));
    assert.equal(error.code, 'AUTH_TOKEN_REJECTED');
  } finally {
    entra.switches.wrongAudience = false;
    git.faults.signInPageFor401 = false;
  }
});

test('a token from another tenant (--azure-tenant-id) is refused: AUTH_TOKEN_REJECTED', async () => {
  const other = entra.addTenant();
  const sp = member(other);
  const { error } = await failingRun('other-tenant', ['--azure-credential=environment', `--azure-tenant-id=${other}`], envFor(sp));
  assert.equal(error.code, 'AUTH_TOKEN_REJECTED');
});

test("without --azure-tenant-id the organisation's tenant is asked, where an app of another tenant does not exist: AUTH_ENTRA_REFUSED", async () => {
  const other = entra.addTenant();
  const sp = member(other);
  const { error } = await failingRun('discovered-tenant', ['--azure-credential=environment'], envFor(sp));
  assert.equal(error.code, 'AUTH_ENTRA_REFUSED');
  assert.equal(error.step, 'preflight');
});

test('a valid token of an identity that is not in the organisation (TF400813): AUTH_NO_ORG_ACCESS', async () => {
  const sp = entra.addServicePrincipal({ clientSecret: true });
  const { error } = await failingRun('not-member', ['--azure-credential=environment'], envFor(sp));
  assert.equal(error.code, 'AUTH_NO_ORG_ACCESS');
});

test('a wrong client secret is refused by Entra (AADSTS7000215) before the cluster is touched: AUTH_ENTRA_REFUSED', async () => {
  const sp = member();
  const wrong = `${sp.clientSecret}x`;
  const { error, res } = await failingRun('wrong-secret', ['--azure-credential=environment'], envFor(sp, { AZURE_CLIENT_SECRET: wrong }));
  assert.equal(error.code, 'AUTH_ENTRA_REFUSED');
  assert.equal(error.step, 'preflight');
  await assertNoLeaks({ clientSecrets: [sp.clientSecret, wrong] }, { values: [res.stdout, res.stderr], tmpDirs: [res.tmpDir] });
});

test('no credential available: AUTH_NO_AZURE_CREDENTIAL naming what was tried, before anything changes', async () => {
  for (const [kind, tried] of [
    ['environment', ['EnvironmentCredential']],
    ['workload-identity', ['WorkloadIdentityCredential']],
    ['pipelines', ['AzurePipelinesCredential']],
  ]) {
    const ns = `no-credential-${kind}`;
    const bare = git.createRepo('org', 'project', ns);
    const events = [];
    const err = await bootstrap(
      {
        url: git.repoUrl('org', 'project', ns),
        azureCredential: kind,
        caFile: git.caFile,
        path: 'clusters/my-cluster',
        namespace: ns,
        kubeconfig: cluster.kubeconfigPath,
        manifests: bundleDir,
        silent: true,
      },
      { onEvent: (e) => events.push(e) },
    ).then(
      () => assert.fail('bootstrap succeeded without a credential'),
      (e) => e,
    );
    assert.equal(err.code, 'AUTH_NO_AZURE_CREDENTIAL', err.message);
    assert.equal(err.option, 'azure-credential');
    assert.deepEqual(err.tried, tried);
    assert.equal(events.find((e) => e.type === 'error')?.code, 'AUTH_NO_AZURE_CREDENTIAL');
    assert.deepEqual(refs(bare), {});
  }
});

test('the core refuses what cannot work: an SSH URL, another host, an unknown kind; a cluster PAT is still asked for', async () => {
  const run = async (extra) => {
    const res = await runCli(['bootstrap', 'git', '--path=x', `--manifests=${bundleDir}`, '--json', ...extra], {});
    const event = res.stdout.trim() === '' ? undefined : jsonEvents(res.stdout).find((e) => e.type === 'error');
    return { res, error: event ?? { code: /\[([A-Z_]+)\]/.exec(res.stderr)?.[1] } };
  };
  for (const url of ['ssh://git@ssh.dev.azure.com/v3/org/project/repo', 'https://github.com/org/repo']) {
    const { error } = await run([`--url=${url}`, '--azure-credential=cli']);
    assert.equal(error.code, 'INVALID_OPTION', url);
  }
  const unknown = await run(['--url=https://dev.azure.com/org/project/_git/repo', '--azure-credential=az-login']);
  assert.equal(unknown.error.code, 'INVALID_OPTION');
  // --token-auth: the cluster syncs with a PAT, so one is needed even with an Entra push.
  const pat = await run(['--url=https://dev.azure.com/org/project/_git/repo', '--azure-credential=cli', '--token-auth']);
  assert.equal(pat.error.code, 'USAGE');
});
