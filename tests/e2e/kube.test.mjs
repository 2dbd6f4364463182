// The cluster half of bootstrap (npm/src/kube) against a real kube-apiserver + etcd.
// Needs: tests/harness/build.sh (run by the harness if the binaries are missing) and
// `npm run build -w flux-azdo` (this imports npm/dist/kube/index.js).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, delimiter } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startCluster, kubeRequest } from '../harness/cluster.mjs';
import {
  connect,
  preflight,
  applyManifests,
  applyGitSecret,
  waitForHealth,
  bootstrapHealthTargets,
  uninstallFlux,
  splitManifests,
} from '../../npm/dist/kube/index.js';
import { SecretValue } from '../../npm/dist/index.js';
import { generateSecret } from '../../npm/dist/core/node.js';
import { fluxDir } from '../support/flux-reference.mjs';

const read = (rel) => readFile(join(fluxDir, rel), 'utf8');
const components = ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'];

/** Rejects with a FluxAzdoError of `code`; returns the error. */
async function rejectsWithCode(promise, code) {
  let error;
  await assert.rejects(promise, (err) => {
    error = err;
    assert.equal(err?.name, 'FluxAzdoError', `expected a FluxAzdoError, got ${err?.stack ?? err}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    return true;
  });
  return error;
}

async function get(cluster, path) {
  const res = await kubeRequest(cluster.admin, 'GET', path);
  return res;
}

/** Every path (as a string) at which `key` occurs in a JSON value. */
function pathsOfKey(value, key, prefix = '', out = []) {
  if (Array.isArray(value)) value.forEach((v, i) => pathsOfKey(v, key, `${prefix}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) out.push(`${prefix}.${k}=${JSON.stringify(v)}`);
      pathsOfKey(v, key, `${prefix}.${k}`, out);
    }
  }
  return out;
}

describe('kube: against a real kube-apiserver', { timeout: 600_000 }, () => {
  let cluster;
  let client;

  before(async () => {
    cluster = await startCluster();
    client = connect({ kubeconfig: cluster.kubeconfigPath });
  });
  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('pre-flight accepts an admin on a new enough server', async () => {
    const result = await preflight(client, { minVersion: '1.33', namespace: 'flux-system' });
    assert.match(result.serverVersion, /^v1\.(3[3-9]|[4-9]\d)\./);
    assert.equal(result.fluxInstalled, false);
  });

  it('pre-flight refuses a server older than the minimum', async () => {
    await rejectsWithCode(preflight(client, { minVersion: '1.99', namespace: 'flux-system' }), 'KUBE_VERSION');
  });

  it('applies all default components, then a re-apply changes nothing', async () => {
    const text = await read('install.yaml');
    const expected = splitManifests(text);
    const seen = [];
    const first = await applyManifests(client, text, { onObject: (r) => seen.push(r.ref) });
    assert.equal(first.length, expected.length);
    assert.equal(seen.length, expected.length);
    assert.deepEqual(new Set(first.map((r) => r.action)), new Set(['created']));
    // CRDs and the Namespace went first.
    const firstOther = seen.findIndex((ref) => !/^(CustomResourceDefinition|Namespace)\//.test(ref));
    assert.ok(
      seen.slice(firstOther).every((ref) => !/^(CustomResourceDefinition|Namespace)\//.test(ref)),
      seen.join('\n'),
    );

    const versions = async () => {
      const out = {};
      for (const r of first) {
        const path = refPath(r);
        const res = await get(cluster, path);
        assert.equal(res.status, 200, path);
        out[r.ref] = res.body.metadata.resourceVersion;
      }
      return out;
    };
    const before = await versions();
    const second = await applyManifests(client, text);
    assert.deepEqual(
      second.map((r) => r.action),
      second.map(() => 'unchanged'),
    );
    assert.deepEqual(await versions(), before);
  });

  it('keeps x-kubernetes-* fields and defaults of the CRDs it applies', async () => {
    const text = await read('install.yaml');
    const crdDocs = parseAllDocuments(text)
      .map((d) => d.toJS())
      .filter((o) => o?.kind === 'CustomResourceDefinition');
    assert.ok(crdDocs.length >= 10);
    let preserveSeen = 0;
    let defaultsSeen = 0;
    for (const crd of crdDocs) {
      const res = await get(cluster, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
      assert.equal(res.status, 200);
      for (const key of ['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'default', 'enum']) {
        const want = pathsOfKey(crd.spec, key);
        const got = pathsOfKey(res.body.spec, key);
        assert.deepEqual(got, want, `${crd.metadata.name}: ${key}`);
        if (key === 'x-kubernetes-preserve-unknown-fields') preserveSeen += got.length;
        if (key === 'default') defaultsSeen += got.length;
      }
    }
    assert.ok(preserveSeen > 0, 'the manifests have x-kubernetes-preserve-unknown-fields somewhere');
    assert.ok(defaultsSeen > 0, 'the manifests have defaults somewhere');
  });

  it('applies every extra component', async () => {
    const text = await read('variants/components-extra-all.yaml');
    const results = await applyManifests(client, text);
    assert.equal(results.length, splitManifests(text).length);
    const crds = results.filter((r) => r.kind === 'CustomResourceDefinition');
    for (const name of ['imagepolicies.image.toolkit.fluxcd.io', 'imagerepositories.image.toolkit.fluxcd.io']) {
      assert.ok(
        crds.some((r) => r.name === name),
        name,
      );
    }
    for (const r of results.filter((x) => x.kind === 'Deployment')) {
      assert.equal((await get(cluster, refPath(r))).status, 200, r.ref);
    }
    const again = await applyManifests(client, text);
    assert.ok(again.every((r) => r.action === 'unchanged'));
  });

  it('installs into a namespace other than flux-system', async () => {
    const text = await read('variants/custom-options.yaml');
    const results = await applyManifests(client, text);
    assert.ok(results.some((r) => r.ref === 'Namespace/gitops' && r.action === 'created'));
    const deployments = results.filter((r) => r.kind === 'Deployment');
    assert.ok(deployments.length > 0);
    for (const d of deployments) {
      assert.equal(d.namespace, 'gitops');
      assert.equal((await get(cluster, refPath(d))).status, 200);
    }
  });

  it('names the object and the server message when an apply is rejected', async () => {
    const bad = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_A_Valid_Name\n  namespace: flux-system\ndata:\n  a: b\n';
    const err = await rejectsWithCode(applyManifests(client, bad), 'APPLY_FAILED');
    assert.ok(err.message.includes('ConfigMap/flux-system/Not_A_Valid_Name'), err.message);
    await rejectsWithCode(applyManifests(client, 'apiVersion: example.invalid/v1\nkind: Nope\nmetadata:\n  name: x\n'), 'APPLY_FAILED');
    await rejectsWithCode(applyManifests(client, 'apiVersion: v1\nkind: ConfigMap\n'), 'INVALID_YAML');
  });

  it('token Secret: created, then always updated with stringData, keeping other keys', async () => {
    const password = `fake-pat-${Math.random().toString(36).slice(2)}`;
    const input = (pw) => ({
      name: 'flux-system-token',
      namespace: 'flux-system',
      stringData: { username: 'git', password: new SecretValue(pw) },
    });
    assert.equal((await applyGitSecret(client, input(password))).action, 'created');
    // Something else adds a key; a token re-run must keep it (stringData merges into data).
    const path = '/api/v1/namespaces/flux-system/secrets/flux-system-token';
    await kubeRequest(
      cluster.admin,
      'PATCH',
      path,
      { data: { extra: Buffer.from('kept').toString('base64') } },
      'application/merge-patch+json',
    );
    assert.equal((await applyGitSecret(client, input(password))).action, 'unchanged');
    const rotated = `${password}-rotated`;
    assert.equal((await applyGitSecret(client, input(rotated))).action, 'updated');
    const data = (await get(cluster, path)).body.data;
    assert.equal(Buffer.from(data.password, 'base64').toString(), rotated);
    assert.equal(Buffer.from(data.extra, 'base64').toString(), 'kept');
  });

  it('SSH Secret: an existing one is kept unless replace is asked for', async () => {
    // The Secret as the core generates it for an SSH sync (the values are fakes).
    const secretFor = (key) =>
      generateSecret({
        name: 'flux-system',
        namespace: 'flux-system',
        auth: {
          type: 'ssh',
          identity: key,
          identityPub: `ssh-rsa AAAA-fake-${key}`,
          knownHosts: 'ssh.dev.azure.com ssh-rsa AAAA-fake-host',
        },
      });
    const path = '/api/v1/namespaces/flux-system/secrets/flux-system';
    const identity = async () => Buffer.from((await get(cluster, path)).body.data.identity, 'base64').toString();
    assert.equal((await applyGitSecret(client, secretFor('fake-key-one'))).action, 'created');
    assert.equal((await applyGitSecret(client, secretFor('fake-key-two'))).action, 'kept');
    assert.equal(await identity(), 'fake-key-one');
    assert.equal((await applyGitSecret(client, secretFor('fake-key-two'), { replace: true })).action, 'updated');
    assert.equal(await identity(), 'fake-key-two');
  });

  // The status writers stay here, on purpose: these cases need exact statuses (Ready=Unknown
  // mid-clone, Ready=False with a given reason, a stale revision on one object only) at exact
  // moments, which no real controller writes on demand; the real controllers' statuses are what
  // flux-controllers.test.mjs and every bootstrap test wait for.
  describe('health waits', () => {
    const revision = 'main@sha1:0123456789abcdef0123456789abcdef01234567';
    before(async () => {
      const sync = [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: GitRepository',
        'metadata:',
        '  name: flux-system',
        '  namespace: flux-system',
        'spec:',
        '  interval: 1m0s',
        '  ref:',
        '    branch: main',
        '  secretRef:',
        '    name: flux-system',
        '  url: ssh://git@ssh.dev.azure.com/v3/org/project/repo',
        '---',
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata:',
        '  name: flux-system',
        '  namespace: flux-system',
        'spec:',
        '  interval: 10m0s',
        '  path: ./clusters/my-cluster',
        '  prune: true',
        '  sourceRef:',
        '    kind: GitRepository',
        '    name: flux-system',
        '',
      ].join('\n');
      await applyManifests(client, sync);
    });

    it('times out naming each object and its last condition', async () => {
      await cluster.setFluxObjectStatusForTest({
        kind: 'GitRepository',
        namespace: 'flux-system',
        name: 'flux-system',
        message: 'cloning the repository',
      });
      const err = await rejectsWithCode(
        waitForHealth(client, bootstrapHealthTargets('flux-system', components, revision), { timeoutMs: 1_500, intervalMs: 300 }),
        'TIMEOUT',
      );
      const byRef = Object.fromEntries(err.failures.map((f) => [f.ref, f.detail]));
      assert.match(byRef['GitRepository/flux-system/flux-system'], /Ready=Unknown.*cloning the repository/);
      assert.match(byRef['Kustomization/flux-system/flux-system'], /not reconciled yet/);
      assert.ok(byRef['Deployment/flux-system/source-controller']);
      assert.equal(err.failures.length, 2 + components.length);
    });

    it('fails at once on Ready=False, reporting every failure together', async () => {
      await cluster.setFluxObjectStatusForTest({
        kind: 'GitRepository',
        namespace: 'flux-system',
        name: 'flux-system',
        ready: false,
        reason: 'GitOperationFailed',
        message: 'authentication required',
      });
      await cluster.setFluxObjectStatusForTest({
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'flux-system',
        ready: false,
        reason: 'ArtifactFailed',
        message: 'source not ready',
      });
      const err = await rejectsWithCode(
        waitForHealth(client, bootstrapHealthTargets('flux-system', components, revision), { timeoutMs: 600_000, intervalMs: 300 }),
        'HEALTH_CHECK_FAILED',
      );
      assert.deepEqual(err.failures.map((f) => f.ref).sort(), [
        'GitRepository/flux-system/flux-system',
        'Kustomization/flux-system/flux-system',
      ]);
      assert.ok(err.failures.some((f) => f.detail.includes('authentication required')));
    });

    it('waits for the expected revision, then succeeds when everything is healthy', async () => {
      for (const name of components) await cluster.markDeploymentAvailableForTest('flux-system', name);
      await cluster.setFluxObjectStatusForTest({
        kind: 'GitRepository',
        namespace: 'flux-system',
        name: 'flux-system',
        ready: true,
        revision: 'main@sha1:ffffffffffffffffffffffffffffffffffffffff',
      });
      await cluster.setFluxObjectStatusForTest({
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'flux-system',
        ready: true,
        revision,
      });
      const err = await rejectsWithCode(
        waitForHealth(client, bootstrapHealthTargets('flux-system', components, revision), { timeoutMs: 1_000, intervalMs: 300 }),
        'TIMEOUT',
      );
      assert.deepEqual(
        err.failures.map((f) => f.ref),
        ['GitRepository/flux-system/flux-system'],
      );

      await cluster.setFluxObjectStatusForTest({
        kind: 'GitRepository',
        namespace: 'flux-system',
        name: 'flux-system',
        ready: true,
        revision,
      });
      const ready = [];
      await waitForHealth(client, bootstrapHealthTargets('flux-system', components, revision), {
        timeoutMs: 30_000,
        intervalMs: 300,
        onReady: (ref) => ready.push(ref),
      });
      assert.equal(ready.length, 2 + components.length);
    });

    it('stops when aborted', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      await rejectsWithCode(
        waitForHealth(client, [{ kind: 'Deployment', namespace: 'flux-system', name: 'does-not-exist' }], {
          timeoutMs: 60_000,
          intervalMs: 200,
          signal: controller.signal,
        }),
        'CANCELLED',
      );
    });
  });

  it('pre-flight refuses a Flux managed by another tool unless forced', async () => {
    const path = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gitrepositories.source.toolkit.fluxcd.io';
    const label = (value) =>
      kubeRequest(
        cluster.admin,
        'PATCH',
        path,
        { metadata: { labels: { 'app.kubernetes.io/managed-by': value } } },
        'application/merge-patch+json',
      );
    await label('Helm');
    try {
      await rejectsWithCode(preflight(client, { minVersion: '1.33', namespace: 'flux-system' }), 'FLUX_MANAGED_ELSEWHERE');
      const forced = await preflight(client, { minVersion: '1.33', namespace: 'flux-system', force: true });
      assert.equal(forced.fluxInstalled, true);
    } finally {
      await label(null);
    }
    assert.equal((await preflight(client, { minVersion: '1.33', namespace: 'flux-system' })).fluxInstalled, true);
  });

  it('a user without the rights is refused by the pre-flight, before anything is written', async () => {
    const user = await cluster.createLimitedUser('reader', [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] },
      // Everything but Secrets: a single missing right is enough to refuse.
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'create', 'patch'] },
    ]);
    const limited = connect({ kubeconfig: user.kubeconfigPath });
    try {
      const err = await rejectsWithCode(preflight(limited, { minVersion: '1.33', namespace: 'flux-system' }), 'FORBIDDEN');
      assert.deepEqual(err.missing, [
        'create namespaces',
        'patch namespaces',
        'create clusterroles.rbac.authorization.k8s.io',
        'patch clusterroles.rbac.authorization.k8s.io',
        'create clusterrolebindings.rbac.authorization.k8s.io',
        'patch clusterrolebindings.rbac.authorization.k8s.io',
        'create secrets in flux-system',
        'patch secrets in flux-system',
        'create deployments.apps in flux-system',
        'patch deployments.apps in flux-system',
      ]);
      // Writing as this user is refused with the same typed error.
      await rejectsWithCode(applyManifests(limited, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: never-created\n'), 'FORBIDDEN');
      assert.equal((await get(cluster, '/api/v1/namespaces/never-created')).status, 404);
    } finally {
      limited.close();
    }
  });

  it('reports KUBE_UNREACHABLE when the server goes away mid-apply, and a re-run converges', async () => {
    const text = await read('variants/components-minimal.yaml');
    // A fresh namespace, so the apply has real work to do.
    const moved = text.replaceAll('flux-system', 'flux-restart');
    let killed = false;
    await rejectsWithCode(
      applyManifests(client, moved, {
        concurrency: 2,
        onObject: () => {
          if (!killed) {
            killed = true;
            cluster.killApiserverNow();
          }
        },
      }),
      'KUBE_UNREACHABLE',
    );
    await rejectsWithCode(preflight(client, { minVersion: '1.33', namespace: 'flux-system' }), 'KUBE_UNREACHABLE');
    await cluster.restartApiserver();
    const results = await applyManifests(client, moved);
    assert.equal(results.length, splitManifests(moved).length);
    assert.ok(
      results.some((r) => r.action === 'created'),
      'the interrupted apply left work to do',
    );
    assert.ok((await applyManifests(client, moved)).every((r) => r.action === 'unchanged'));
  });

  it('uninstall removes custom objects (finalizers first), controllers, CRDs and the namespace', async () => {
    const path = '/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/flux-system';
    await kubeRequest(cluster.admin, 'PATCH', path, { metadata: { finalizers: ['finalizers.fluxcd.io'] } }, 'application/merge-patch+json');
    const { deleted } = await uninstallFlux(client, { namespace: 'flux-system' });
    assert.ok(deleted.includes('GitRepository/flux-system/flux-system'), deleted.join('\n'));
    assert.ok(deleted.indexOf('GitRepository/flux-system/flux-system') < deleted.indexOf('Deployment/flux-system/source-controller'));
    assert.ok(
      deleted.indexOf('Deployment/flux-system/source-controller') <
        deleted.indexOf('CustomResourceDefinition/gitrepositories.source.toolkit.fluxcd.io'),
    );
    assert.equal(deleted.at(-1), 'Namespace/flux-system');
    assert.equal((await get(cluster, path)).status, 404);
    assert.equal((await get(cluster, '/apis/apps/v1/namespaces/flux-system/deployments/source-controller')).status, 404);
    // CRD deletion finishes in the apiserver itself; namespace finalization needs a controller-manager,
    // which this control plane does not run, so "Terminating" is as far as it gets.
    const ns = await get(cluster, '/api/v1/namespaces/flux-system');
    assert.ok(ns.status === 404 || ns.body.metadata.deletionTimestamp, 'namespace is being deleted');
    // The other installation (gitops) is untouched.
    assert.equal((await get(cluster, '/apis/apps/v1/namespaces/gitops/deployments/source-controller')).status, 200);
  });

  it('uninstall can keep the namespace', async () => {
    const { deleted } = await uninstallFlux(client, { namespace: 'gitops', keepNamespace: true });
    assert.ok(deleted.includes('Deployment/gitops/source-controller'), deleted.join('\n'));
    assert.ok(!deleted.some((ref) => ref.startsWith('Namespace/')));
    assert.equal((await get(cluster, '/apis/apps/v1/namespaces/gitops/deployments/source-controller')).status, 404);
    const ns = await get(cluster, '/api/v1/namespaces/gitops');
    assert.equal(ns.status, 200);
    assert.equal(ns.body.metadata.deletionTimestamp, undefined);
  });
});

describe('kube: kubeconfig loading', () => {
  let dir;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flux-azdo-kubeconfig-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const kubeconfig = (name, user) =>
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${name}`,
      '  cluster:',
      `    server: https://127.0.0.1:1`,
      'users:',
      `- name: ${name}-user`,
      '  user:',
      ...user.map((l) => `    ${l}`),
      'contexts:',
      `- name: ${name}`,
      '  context:',
      `    cluster: ${name}`,
      `    user: ${name}-user`,
      `current-context: ${name}`,
      '',
    ].join('\n');
  const kubelogin = (args, env = []) => [
    'exec:',
    '  apiVersion: client.authentication.k8s.io/v1beta1',
    '  command: kubelogin',
    '  args:',
    ...args.map((a) => `  - ${a}`),
    ...(env.length ? ['  env:', ...env.flatMap(([n, v]) => [`  - name: ${n}`, `    value: ${v}`])] : ['  env: null']),
  ];

  it('merges KUBECONFIG like kubectl: missing files skipped, the first current-context wins, --context overrides', async () => {
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    await writeFile(a, kubeconfig('first', ['token: fake-token-a']));
    await writeFile(b, kubeconfig('second', ['token: fake-token-b']));
    const env = { KUBECONFIG: [join(dir, 'missing.yaml'), a, b].join(delimiter) };
    assert.equal(connect({ env }).kubeConfig.getCurrentContext(), 'first');
    assert.equal(connect({ env, context: 'second' }).kubeConfig.getCurrentCluster().name, 'second');
    await rejectsWithCode(
      Promise.resolve().then(() => connect({ env, context: 'third' })),
      'KUBECONFIG_INVALID',
    );
    await rejectsWithCode(
      Promise.resolve().then(() => connect({ kubeconfig: join(dir, 'missing.yaml') })),
      'KUBECONFIG_INVALID',
    );
    // --kubeconfig wins over KUBECONFIG.
    assert.equal(connect({ env, kubeconfig: b }).kubeConfig.getCurrentContext(), 'second');
  });

  it('refuses kubelogin logins that need a terminal, with the fix', async () => {
    const cases = [
      [['get-token', '--login', 'devicecode', '--server-id', 'fake'], [], 'KUBE_AUTH_INTERACTIVE'],
      [['get-token', '-l', 'interactive'], [], 'KUBE_AUTH_INTERACTIVE'],
      [['get-token', '--server-id', 'fake'], [], 'KUBE_AUTH_INTERACTIVE'], // devicecode is kubelogin's default
      [['get-token', '--server-id', 'fake'], [['AAD_LOGIN_METHOD', 'azurecli']], undefined],
      [['get-token', '--login=azurecli', '--server-id', 'fake'], [], undefined],
    ];
    for (const [i, [args, env, code]] of cases.entries()) {
      const file = join(dir, `kubelogin-${i}.yaml`);
      await writeFile(file, kubeconfig('aks', kubelogin(args, env)));
      if (code) {
        const err = await rejectsWithCode(
          Promise.resolve().then(() => connect({ kubeconfig: file })),
          code,
        );
        assert.ok(err.message.includes('kubelogin convert-kubeconfig -l azurecli'));
      } else {
        // Accepted: the client carries this kubeconfig's user, with kubelogin's exec call untouched.
        const user = connect({ kubeconfig: file }).kubeConfig.getCurrentUser();
        assert.equal(user?.name, 'aks-user');
        assert.equal(user?.exec?.command, 'kubelogin');
        assert.deepEqual(user?.exec?.args, args);
      }
    }
  });
});

function refPath(r) {
  const plural = {
    CustomResourceDefinition: 'customresourcedefinitions',
    Namespace: 'namespaces',
    Deployment: 'deployments',
    Service: 'services',
    ServiceAccount: 'serviceaccounts',
    ClusterRole: 'clusterroles',
    ClusterRoleBinding: 'clusterrolebindings',
    NetworkPolicy: 'networkpolicies',
    ResourceQuota: 'resourcequotas',
  }[r.kind];
  assert.ok(plural, `refPath: add ${r.kind}`);
  const base = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  return `${base}${r.namespace ? `/namespaces/${r.namespace}` : ''}/${plural}/${r.name}`;
}
