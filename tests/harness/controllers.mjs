// Flux's real controllers (source-, kustomize-, helm- and notification-controller, the versions
// Flux v2.9.4 ships, built by tests/harness/controllers/build.sh) as local processes against the
// test kube-apiserver: each one whose Deployment bootstrap applied.
//
// Each controller runs with the arguments of ITS DEPLOYMENT AS APPLIED TO THE CLUSTER (read back
// from the apiserver), so whatever bootstrap patched into it (e.g. `--ssh-hostkey-algos`) is what
// the process gets; only what cannot work outside a pod is changed (see localArgs). While a
// process answers /readyz its Deployment is marked available (there is no kubelet to do it), and
// marked unavailable again when it stops answering; when the Deployment's spec changes (a new
// generation, e.g. args applied from Git by kustomize-controller) the process is restarted with
// the new spec, as a rollout would replace the pod.
//
// Events: the other controllers post their Kubernetes events to notification-controller's event
// endpoint, as in a cluster (`--events-addr=http://notification-controller.<ns>.svc…/`); here that
// URL becomes notification-controller's own loopback port when it runs, so Alerts and Providers
// see real events. Without notification-controller in the set the flag is dropped (its default,
// empty, posts no events) rather than pointed at nothing.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort, kubeconfigText, kubeRequest, markDeploymentAvailableForTest } from './cluster.mjs';

const here = dirname(fileURLToPath(import.meta.url));
// The runner's temp root, read once: a test may point TMPDIR at a private folder it scans for
// leftovers while an in-process bootstrap runs, and the controllers' work dirs are not the run's.
const harnessTmp = tmpdir();

/** Every controller the harness can run, in start order (source-controller serves the others). */
export const CONTROLLERS = ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'];

/** Builds the controllers if needed (minutes cold, instant warm); returns their directory. */
export function controllersBinDir() {
  if (process.env.FLUX_AZDO_CONTROLLERS_BIN) return process.env.FLUX_AZDO_CONTROLLERS_BIN;
  return execFileSync('bash', [join(here, 'controllers', 'build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/**
 * The container's arguments and environment, made runnable outside the cluster.
 * `ports`: { metrics, health, storage?, events?, receiver? } on 127.0.0.1; `storagePath` for
 * source-controller; `eventsUrl`: where the controller posts events (notification-controller's
 * loopback event endpoint), or undefined to post none.
 */
export function localArgs(container, { name, namespace, ports, storagePath, eventsUrl }) {
  const env = { RUNTIME_NAMESPACE: namespace };
  for (const e of container.env ?? []) {
    // valueFrom: RUNTIME_NAMESPACE (fieldRef) is set above; GOMEMLIMIT comes from the
    // container's memory limit, which a local process does not have.
    if (e.value !== undefined) env[e.name] = e.value;
  }
  // Kubernetes expands $(VAR) in args from the container's environment.
  const expand = (arg) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => env[name] ?? m);
  const args = [];
  for (const raw of container.args ?? []) {
    const arg = expand(raw);
    const flag = arg.split('=', 1)[0];
    switch (flag) {
      case '--events-addr':
        // notification-controller's own flag of that name is the address it listens on (set
        // below); the others' is its in-cluster Service URL, which has no DNS here.
        if (name !== 'notification-controller' && eventsUrl !== undefined) args.push(`--events-addr=${eventsUrl}`);
        continue;
      case '--receiverAddr':
        continue; // notification-controller's webhook receiver: set below
      case '--enable-leader-election':
        // One replica only; a killed process would hold its Lease for the lease duration and
        // delay the next start of the same controller.
        continue;
      case '--watch-all-namespaces':
        // Several tests share one apiserver, each with its own Flux namespace: each pair of
        // controllers must own only its namespace (RUNTIME_NAMESPACE).
        args.push('--watch-all-namespaces=false');
        continue;
      case '--storage-path':
        args.push(`--storage-path=${storagePath}`);
        continue;
      case '--storage-adv-addr':
        // The in-cluster Service name; kustomize-controller fetches artifacts from this address.
        args.push(`--storage-adv-addr=127.0.0.1:${ports.storage}`);
        continue;
      case '--storage-addr':
      case '--metrics-addr':
      case '--health-addr':
        continue; // set below, on loopback ports of our own
      default:
        args.push(arg);
    }
  }
  // The defaults (:8080, :9440, :9090) would bind every interface and clash between processes.
  args.push(`--metrics-addr=127.0.0.1:${ports.metrics}`, `--health-addr=127.0.0.1:${ports.health}`);
  if (ports.storage !== undefined) args.push(`--storage-addr=127.0.0.1:${ports.storage}`);
  // notification-controller's defaults (:9090 events, :9292 webhook receiver) bind every interface.
  if (ports.events !== undefined) args.push(`--events-addr=127.0.0.1:${ports.events}`);
  if (ports.receiver !== undefined) args.push(`--receiverAddr=127.0.0.1:${ports.receiver}`);
  return { args, env };
}

function httpGet(url, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function getDeployment(cluster, namespace, name) {
  const res = await kubeRequest(cluster.admin, 'GET', `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`);
  return res.status === 200 ? res.body : undefined;
}

/** Whether the Deployment is deleted (404 only: a restarting apiserver is not a deletion). */
async function deploymentGone(cluster, namespace, name) {
  const res = await kubeRequest(cluster.admin, 'GET', `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`);
  return res.status === 404 || (res.status === 200 && Boolean(res.body.metadata?.deletionTimestamp));
}

function isMarkedAvailable(dep) {
  const available = dep.status?.conditions?.find((c) => c.type === 'Available');
  return available?.status === 'True' && dep.status?.observedGeneration === dep.metadata.generation;
}

/** TEST ONLY: what the Deployment controller writes when the pod is gone. */
async function markDeploymentUnavailable(cluster, namespace, name) {
  const dep = await getDeployment(cluster, namespace, name);
  if (!dep) return;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const status = {
    observedGeneration: dep.metadata.generation,
    replicas: 1,
    updatedReplicas: 1,
    readyReplicas: 0,
    availableReplicas: 0,
    unavailableReplicas: 1,
    conditions: [
      {
        type: 'Available',
        status: 'False',
        reason: 'MinimumReplicasUnavailable',
        message: 'Deployment does not have minimum availability.',
        lastUpdateTime: now,
        lastTransitionTime: now,
      },
    ],
  };
  await kubeRequest(
    cluster.admin,
    'PATCH',
    `/apis/apps/v1/namespaces/${namespace}/deployments/${name}/status`,
    { status },
    'application/merge-patch+json',
  );
}

/**
 * A kubeconfig that impersonates the controller's ServiceAccount, so the controllers work with
 * the RBAC that gotk-components.yaml installed, as in a cluster.
 */
function serviceAccountKubeconfig(cluster, namespace, name) {
  const admin = kubeconfigText({ ...cluster.admin, user: 'admin' });
  return admin.replace(
    /\n {4}client-key-data: (\S+)\n/,
    (m) =>
      `${m}    as: system:serviceaccount:${namespace}:${name}\n    as-groups:\n    - system:serviceaccounts\n    - system:serviceaccounts:${namespace}\n    - system:authenticated\n`,
  );
}

/**
 * The controllers to run in `namespace`: `components` if given, else every controller of
 * CONTROLLERS whose Deployment is in the namespace once source-controller's is (bootstrap applies
 * them together).
 */
async function controllerSet(cluster, namespace, components, waitForDeploymentsMs) {
  const deadline = Date.now() + waitForDeploymentsMs;
  const wanted = components ?? ['source-controller'];
  for (const name of wanted) {
    let dep = await getDeployment(cluster, namespace, name);
    while (!dep && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      dep = await getDeployment(cluster, namespace, name);
    }
    if (!dep) throw new Error(`Deployment ${namespace}/${name} was not applied within ${waitForDeploymentsMs} ms`);
  }
  if (components) return CONTROLLERS.filter((c) => components.includes(c));
  const res = await kubeRequest(cluster.admin, 'GET', `/apis/apps/v1/namespaces/${namespace}/deployments`);
  const present = new Set((res.body.items ?? []).map((d) => d.metadata.name));
  return CONTROLLERS.filter((c) => present.has(c));
}

/**
 * Starts Flux's controllers for `namespace` from their Deployments in the cluster (waits up to
 * `waitForDeploymentsMs` for them to be applied): `components`, or every one bootstrap installed.
 * Returns { processes, ready(), logs(), stop() }; call stop() in an after hook.
 */
export async function startFluxControllers(
  cluster,
  {
    namespace = 'flux-system',
    binDir = controllersBinDir(),
    waitForDeploymentsMs = 120_000,
    impersonate = true,
    podEnvironment,
    components,
  } = {},
) {
  const work = await mkdtemp(join(harnessTmp, `flux-azdo-controllers-${namespace}-`));
  const processes = {};
  let stopped = false;
  let monitor;
  const stopProcess = async (p) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return;
    try {
      process.kill(-p.child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-p.child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 10_000);
    await p.exited;
    clearTimeout(timer);
  };
  const stopAll = async () => {
    for (const p of Object.values(processes)) await stopProcess(p);
  };
  const onExit = () => {
    for (const p of Object.values(processes)) {
      try {
        process.kill(-p.child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  process.once('exit', onExit);

  // Ports are fixed before anything starts: the others need notification-controller's event
  // address in their args, and a restarted controller keeps its ports as a pod keeps its Service.
  const allPorts = {};
  let eventsUrl;

  // Starts (or, after a spec change, restarts) one controller from its Deployment.
  const launch = async (name, dep) => {
    const container = dep.spec.template.spec.containers.find((c) => c.name === 'manager') ?? dep.spec.template.spec.containers[0];
    const previous = processes[name];
    const dir = join(work, name);
    await mkdir(dir, { recursive: true });
    const ports = allPorts[name];
    const storagePath = join(dir, 'storage');
    await mkdir(storagePath, { recursive: true });
    const { args, env } = localArgs(container, { name, namespace, ports, storagePath, eventsUrl });
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, impersonate ? serviceAccountKubeconfig(cluster, namespace, name) : cluster.kubeconfig, { mode: 0o600 });
    // TUF_ROOT (sigstore's cache) is a path inside the pod's /tmp volume: give it our own.
    env.TUF_ROOT = join(dir, 'sigstore');
    // What an admission webhook would add to the pod (e.g. Azure workload identity's), decided
    // by the caller from the Deployment and its ServiceAccount as they are in the cluster.
    if (podEnvironment) Object.assign(env, await podEnvironment({ name, namespace, deployment: dep, dir }));

    const logPath = join(dir, 'controller.log');
    const fd = openSync(logPath, 'a');
    const child = spawn(join(binDir, name), args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      // Nothing from the test runner's environment leaks in (proxies, SSH agents, HOME).
      env: { PATH: process.env.PATH, HOME: dir, TMPDIR: dir, KUBECONFIG: kubeconfigPath, ...env },
    });
    closeSync(fd);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    processes[name] = {
      child,
      exited,
      args,
      env,
      logPath,
      ports,
      generation: dep.metadata.generation,
      starts: (previous?.starts ?? 0) + 1,
      healthUrl: `http://127.0.0.1:${ports.health}/readyz`,
    };
  };

  try {
    const names = await controllerSet(cluster, namespace, components, waitForDeploymentsMs);
    for (const name of names) {
      allPorts[name] = {
        metrics: await freePort(),
        health: await freePort(),
        ...(name === 'source-controller' ? { storage: await freePort() } : {}),
        ...(name === 'notification-controller' ? { events: await freePort(), receiver: await freePort() } : {}),
      };
    }
    if (allPorts['notification-controller']) eventsUrl = `http://127.0.0.1:${allPorts['notification-controller'].events}/`;
    for (const name of names) {
      const dep = await getDeployment(cluster, namespace, name);
      if (!dep) throw new Error(`Deployment ${namespace}/${name} is gone`);
      await launch(name, dep);
    }

    // Deployment status follows the processes' health, as the kubelet and Deployment controller would.
    const healthy = {};
    const tick = async () => {
      for (const [name, p] of Object.entries(processes)) {
        const alive = p.child.exitCode === null && p.child.signalCode === null;
        const ok = alive && (await httpGet(p.healthUrl)) === 200;
        if (stopped) return;
        const dep = await getDeployment(cluster, namespace, name);
        if (!dep) {
          // Deleted (e.g. by an uninstall): its pods would be terminated, so is the process.
          if (alive && (await deploymentGone(cluster, namespace, name))) {
            await stopProcess(p);
            p.deleted = true;
          }
          healthy[name] = false;
          continue;
        }
        if (dep.metadata.generation !== p.generation) {
          // The spec changed (e.g. kustomize-controller applied new args from Git): roll out,
          // as the Deployment controller would replace the pod.
          await stopProcess(p);
          if (stopped) return;
          await launch(name, dep);
          healthy[name] = false;
          continue;
        }
        if (ok && !isMarkedAvailable(dep)) await markDeploymentAvailableForTest(cluster.admin, namespace, name);
        if (!ok && healthy[name]) await markDeploymentUnavailable(cluster, namespace, name);
        healthy[name] = ok;
      }
    };
    const loop = async () => {
      while (!stopped) {
        try {
          await tick();
        } catch {
          /* the apiserver may be restarting; try again next tick */
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    monitor = loop();

    return {
      processes,
      dir: work,
      /** The notification-controller event endpoint the others post to (undefined without it). */
      eventsUrl,
      /** Resolves when every controller answers /readyz; rejects if one exits first. */
      async ready(timeoutMs = 60_000) {
        const deadline = Date.now() + timeoutMs;
        for (const [name, p] of Object.entries(processes)) {
          while ((await httpGet(p.healthUrl)) !== 200) {
            if (p.child.exitCode !== null || p.child.signalCode !== null) {
              throw new Error(`${name} exited (${p.child.exitCode ?? p.child.signalCode}):\n${tail(p.logPath)}`);
            }
            if (Date.now() > deadline) throw new Error(`${name} not ready after ${timeoutMs} ms:\n${tail(p.logPath)}`);
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      },
      /** The controllers' logs so far (JSON lines). */
      logs: (name) => readFileSync(processes[name].logPath, 'utf8'),
      async stop() {
        if (stopped) return;
        stopped = true;
        await monitor;
        await stopAll();
        process.removeListener('exit', onExit);
        for (const name of Object.keys(processes)) await markDeploymentUnavailable(cluster, namespace, name).catch(() => {});
        await rm(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    stopped = true;
    await monitor;
    await stopAll();
    process.removeListener('exit', onExit);
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

function tail(path, lines = 40) {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
