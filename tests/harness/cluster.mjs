// A real Kubernetes control plane (etcd + kube-apiserver, no kubelet, no controllers) for tests.
// Processes run in their own process groups on free loopback ports; stop() kills them and removes
// the temp dir. Binaries come from tests/harness/build.sh (built outside the checkout).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { existsSync, openSync, closeSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'node:https';
import { createControlPlanePki, createClientCert } from './pki.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const startTimeoutMs = 120_000;

/**
 * The directory with kube-apiserver, kubectl and etcd. `FLUX_AZDO_TESTBIN` overrides; with
 * `version` (e.g. "v1.36.3") an already built cache dir of that Kubernetes version is used.
 */
export function testbinDir(version) {
  if (process.env.FLUX_AZDO_TESTBIN) return process.env.FLUX_AZDO_TESTBIN;
  if (version) {
    const root = process.env.FLUX_AZDO_TESTBIN_CACHE ?? join(homedir(), '.cache/flux-azdo/testbin');
    const match = existsSync(root) && readdirSync(root).find((d) => d.startsWith(`k8s-${version}-`));
    if (match && existsSync(join(root, match, 'kube-apiserver'))) return join(root, match);
    throw new Error(
      `no test binaries for Kubernetes ${version} under ${root}; pin it in tests/harness/gomod/k8s/go.mod and run tests/harness/build.sh`,
    );
  }
  return execFileSync(join(here, 'build.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function startProcess(bin, args, logPath) {
  const fd = openSync(logPath, 'a');
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, logPath };
}

async function killGroup(proc, graceMs = 10_000) {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  try {
    process.kill(-proc.child.pid, 'SIGTERM');
  } catch {
    /* the group is gone already; still wait for the exit event below */
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-proc.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, graceMs);
  await proc.exited;
  clearTimeout(timer);
}

async function logTail(path, lines = 30) {
  try {
    return (await readFile(path, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** A JSON request as the given client credentials. Resolves { status, body }. */
export function kubeRequest(conn, method, path, body, contentType = 'application/json') {
  return new Promise((resolve, reject) => {
    const url = new URL(path, conn.server);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        ca: conn.ca,
        cert: conn.cert,
        key: conn.key,
        headers: {
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': contentType }),
        },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let parsed = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* plain text (e.g. /readyz) */
          }
          resolve({ status: res.statusCode, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

async function expectOk(conn, method, path, body, contentType) {
  const res = await kubeRequest(conn, method, path, body, contentType);
  if (res.status >= 300) {
    throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  }
  return res.body;
}

export function kubeconfigText({ server, ca, cert, key, user }) {
  const b64 = (s) => Buffer.from(s).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: flux-azdo-test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(ca)}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    `    client-certificate-data: ${b64(cert)}`,
    `    client-key-data: ${b64(key)}`,
    'contexts:',
    `- name: ${user}@flux-azdo-test`,
    '  context:',
    '    cluster: flux-azdo-test',
    `    user: ${user}`,
    `current-context: ${user}@flux-azdo-test`,
    '',
  ].join('\n');
}

/**
 * Starts etcd and kube-apiserver. Returns the admin kubeconfig and helpers; call stop() in an
 * after hook.
 */
export async function startCluster({ version } = {}) {
  const binDir = testbinDir(version);
  const dir = await mkdtemp(join(tmpdir(), 'flux-azdo-cluster-'));
  const procs = { etcd: undefined, apiserver: undefined };
  try {
    await createControlPlanePki(dir);
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const server = `https://127.0.0.1:${apiPort}`;
    const ca = await readFile(join(dir, 'ca.crt'), 'utf8');
    const admin = await createClientCert(dir, 'admin', 'flux-azdo-test-admin', ['system:masters']);
    const adminConn = { server, ca, ...admin };

    const startEtcd = async () => {
      procs.etcd = startProcess(
        join(binDir, 'etcd'),
        [
          '--name=default',
          `--data-dir=${join(dir, 'etcd-data')}`,
          `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
          `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
          `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
          `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
          '--unsafe-no-fsync=true',
          '--log-level=warn',
        ],
        join(dir, 'etcd.log'),
      );
    };
    const startApiserver = async () => {
      procs.apiserver = startProcess(
        join(binDir, 'kube-apiserver'),
        [
          `--etcd-servers=http://127.0.0.1:${etcdPort}`,
          `--secure-port=${apiPort}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--cert-dir=${join(dir, 'apiserver-certs')}`,
          `--tls-cert-file=${join(dir, 'apiserver.crt')}`,
          `--tls-private-key-file=${join(dir, 'apiserver.key')}`,
          `--client-ca-file=${join(dir, 'ca.crt')}`,
          `--service-account-issuer=${server}/`,
          `--service-account-key-file=${join(dir, 'sa.pub')}`,
          `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
          '--authorization-mode=RBAC',
          '--service-cluster-ip-range=10.0.0.0/24',
          '--allow-privileged=true',
          '--disable-admission-plugins=ServiceAccount',
          '--v=0',
        ],
        join(dir, 'apiserver.log'),
      );
      await waitReady(adminConn, procs.apiserver);
    };

    await startEtcd();
    await startApiserver();

    const kubeconfig = kubeconfigText({ server, ca, ...admin, user: 'flux-azdo-test-admin' });
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });

    let stopped = false;
    // If the test process dies without calling stop(), take the control plane down with it.
    const onExit = () => {
      for (const p of [procs.apiserver, procs.etcd]) {
        try {
          process.kill(-p.child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', onExit);
    return {
      server,
      kubeconfig,
      kubeconfigPath,
      binDir,
      dir,
      env: { KUBECONFIG: kubeconfigPath },
      /** Admin connection details for raw requests (kubeRequest). */
      admin: adminConn,
      /** Stops kube-apiserver only (etcd keeps the data); for "server goes away" tests. */
      async stopApiserver() {
        await killGroup(procs.apiserver);
      },
      /** SIGKILLs kube-apiserver at once (synchronous, so it can be called from a progress callback). */
      killApiserverNow() {
        try {
          process.kill(-procs.apiserver.child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      },
      /**
       * SIGSTOPs kube-apiserver: the kernel still accepts connections, nothing answers them (a
       * hung server, not a dead one). thawApiserver() lets it go on.
       */
      freezeApiserver() {
        process.kill(-procs.apiserver.child.pid, 'SIGSTOP');
      },
      thawApiserver() {
        try {
          process.kill(-procs.apiserver.child.pid, 'SIGCONT');
        } catch {
          /* already gone */
        }
      },
      /** SIGKILLs etcd at once (the apiserver stays up, without its storage). */
      killEtcdNow() {
        try {
          process.kill(-procs.etcd.child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      },
      /** Starts etcd again on the same ports and data, and waits until the apiserver is ready. */
      async restartEtcd() {
        await killGroup(procs.etcd);
        await startEtcd();
        await waitReady(adminConn, procs.apiserver);
      },
      /** Starts kube-apiserver again on the same port and waits for /readyz. */
      async restartApiserver() {
        await killGroup(procs.apiserver);
        await startApiserver();
      },
      createLimitedUser: (name, rules) => createLimitedUser({ dir, adminConn, name, rules }),
      markDeploymentAvailableForTest: (namespace, name) => markDeploymentAvailableForTest(adminConn, namespace, name),
      setFluxObjectStatusForTest: (args) => setFluxObjectStatusForTest(adminConn, args),
      async stop() {
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', onExit);
        await killGroup(procs.apiserver);
        await killGroup(procs.etcd);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    const tails = [];
    for (const p of [procs.etcd, procs.apiserver]) {
      if (p) tails.push(`--- ${p.logPath}\n${await logTail(p.logPath)}`);
    }
    await killGroup(procs.apiserver);
    await killGroup(procs.etcd);
    await rm(dir, { recursive: true, force: true });
    err.message += tails.length ? `\n${tails.join('\n')}` : '';
    throw err;
  }
}

async function waitReady(conn, proc) {
  const deadline = Date.now() + startTimeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`kube-apiserver exited early (${proc.child.exitCode ?? proc.child.signalCode})\n${await logTail(proc.logPath)}`);
    }
    try {
      const res = await kubeRequest(conn, 'GET', '/readyz');
      if (res.status === 200) return;
      last = `${res.status} ${String(res.body).slice(0, 300)}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`kube-apiserver not ready after ${startTimeoutMs} ms: ${last}`);
}

/**
 * A user authenticated by a client certificate (CN=name, no groups) that has exactly `rules`
 * cluster-wide (a ClusterRole + ClusterRoleBinding). Returns its kubeconfig (path and text).
 */
async function createLimitedUser({ dir, adminConn, name, rules }) {
  const creds = await createClientCert(dir, `user-${name}`, name);
  const roleName = `flux-azdo-test-${name}`;
  await expectOk(adminConn, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: roleName },
    rules,
  });
  await expectOk(adminConn, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: roleName },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name }],
  });
  const kubeconfig = kubeconfigText({ server: adminConn.server, ca: adminConn.ca, ...creds, user: name });
  const kubeconfigPath = join(dir, `user-${name}.kubeconfig`);
  await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
  return { kubeconfig, kubeconfigPath, user: name };
}

/**
 * TEST ONLY. There is no kubelet or controller-manager, so Deployments never become available on
 * their own; this writes the status a healthy rollout would have.
 */
export async function markDeploymentAvailableForTest(conn, namespace, name) {
  const path = `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
  const dep = await expectOk(conn, 'GET', path);
  const replicas = dep.spec.replicas ?? 1;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const status = {
    observedGeneration: dep.metadata.generation,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    conditions: [
      {
        type: 'Available',
        status: 'True',
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
        lastUpdateTime: now,
        lastTransitionTime: now,
      },
      {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${name}" has successfully progressed.`,
        lastUpdateTime: now,
        lastTransitionTime: now,
      },
    ],
  };
  return expectOk(conn, 'PATCH', `${path}/status`, { status }, 'application/merge-patch+json');
}

const fluxKinds = {
  GitRepository: { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories' },
  Kustomization: { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' },
};

/**
 * TEST ONLY. Writes a Flux object's status as its controller would: `ready` true/false/undefined
 * (Unknown), a `message`, and the revision (artifact.revision for GitRepository,
 * lastAttemptedRevision (+ lastAppliedRevision when ready) for Kustomization).
 */
export async function setFluxObjectStatusForTest(conn, { kind, namespace, name, ready, reason, message = '', revision }) {
  const k = fluxKinds[kind];
  if (!k) throw new Error(`setFluxObjectStatusForTest: unsupported kind ${kind}`);
  const path = `/apis/${k.group}/${k.version}/namespaces/${namespace}/${k.plural}/${name}`;
  const obj = await expectOk(conn, 'GET', path);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const condStatus = ready === true ? 'True' : ready === false ? 'False' : 'Unknown';
  const status = {
    observedGeneration: obj.metadata.generation,
    conditions: [
      {
        type: 'Ready',
        status: condStatus,
        reason: reason ?? (ready === true ? 'Succeeded' : ready === false ? 'Failed' : 'Progressing'),
        message,
        lastTransitionTime: now,
        observedGeneration: obj.metadata.generation,
      },
    ],
  };
  if (revision !== undefined) {
    if (kind === 'GitRepository') {
      status.artifact = {
        path: `gitrepository/${namespace}/${name}/artifact.tar.gz`,
        url: `http://source-controller.${namespace}.svc.cluster.local./gitrepository/${namespace}/${name}/artifact.tar.gz`,
        revision,
        digest: 'sha256:' + '0'.repeat(64),
        lastUpdateTime: now,
      };
    } else {
      status.lastAttemptedRevision = revision;
      if (ready === true) status.lastAppliedRevision = revision;
    }
  }
  return expectOk(conn, 'PATCH', `${path}/status`, { status }, 'application/merge-patch+json');
}
