#!/usr/bin/env node
// A whole bootstrap as a user runs it — `flux-azdo bootstrap git --token-auth`, default
// components, the bundle the package carries — against the local Azure-DevOps-like HTTPS Git
// server (tests/servers/git-https.mjs) and the test kube-apiserver (tests/harness), with Flux's
// controllers stood in (tests/e2e/support/bootstrap-env.mjs: it marks the Deployments available
// and reports Ready when bootstrap reaches its health step), against the same work done by the
// tools a script would use, in this same script:
//   git clone --depth 1; commit gotk-components.yaml; push; kubectl apply --server-side;
//   kubectl create secret generic; commit gotk-sync.yaml + kustomization.yaml; push;
//   kubectl apply --server-side
// on the files flux-azdo exports for the same options (written before the clock starts).
// Each round bootstraps a fresh empty repository and namespace for each side, interleaved.
// Targets: wall ≤ 1.2×, peak RSS of the process tree ≤ 1.5×. flux-azdo's wall includes the
// stand-in's answer to its health wait (a handful of API writes), which the baseline does not
// wait for; "to health" is flux-azdo up to the moment it starts waiting. Per-step medians
// (from the --json step events) show where flux-azdo's time goes.
//
// Usage: bash scripts/build.sh && node bench/bootstrap.mjs   (RUNS=10 by default)
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { embeddedBundleVersion } from '../npm/dist/index.js';
import { startCluster } from '../tests/harness/cluster.mjs';
import { cliPath, controllerStandIn } from '../tests/e2e/support/bootstrap-env.mjs';
import { startGitHttpsServer } from '../tests/servers/git-https.mjs';
import { FLUX_VERSION } from '../tests/support/flux-reference.mjs';
import { canTimeCpu, interleave, median, runProcess } from './runner.mjs';

const RUNS = Number(process.env.RUNS ?? 10);

if (embeddedBundleVersion() !== FLUX_VERSION) {
  console.error('npm/bundle/manifests.json is missing: build the package with FLUX_MANIFESTS (bash scripts/build.sh)');
  process.exit(1);
}

// Obviously fake, made per run.
const pat = `fake-pat-${randomBytes(16).toString('hex')}`;
const [cluster, git] = await Promise.all([startCluster(), startGitHttpsServer({ pat })]);
const work = mkdtempSync(join(tmpdir(), 'flux-azdo-bench-bootstrap-'));
// Stopped early (Ctrl-C, kill): the apiserver and etcd are child processes; stop them too.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    Promise.allSettled([cluster.stop(), git.stop()]).finally(() => {
      rmSync(work, { recursive: true, force: true });
      process.exit(130);
    });
  });
}
const path = 'clusters/my-cluster';

const env = { ...process.env, NO_COLOR: '1', GIT_PASSWORD: pat, TMPDIR: work };
const gitEnv = {
  ...process.env,
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: work,
  GIT_AUTHOR_NAME: 'Flux',
  GIT_AUTHOR_EMAIL: 'flux@example.invalid',
  GIT_COMMITTER_NAME: 'Flux',
  GIT_COMMITTER_EMAIL: 'flux@example.invalid',
};
// The PAT reaches git as an HTTP header from the environment (never argv), as a CI job would.
Object.assign(gitEnv, {
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'http.extraHeader',
  GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`git:${pat}`).toString('base64')}`,
  // The environment wins over http.sslCAInfo; this machine's may name another bundle.
  GIT_SSL_CAINFO: git.caFile,
});
const kubectl = (args, rss) => runProcess('kubectl', [`--kubeconfig=${cluster.kubeconfigPath}`, ...args], { rss, cpu: true });
const gitRun = (args, rss) => runProcess('git', args, { env: gitEnv, rss, cpu: true });

const tokenArgs = (name) => [
  'bootstrap',
  'git',
  '--token-auth',
  `--url=${git.repoUrl('org', 'project', name)}`,
  '--branch=main',
  `--path=${path}`,
  `--namespace=${name}`,
  `--ca-file=${git.caFile}`,
];

const STEPS = ['preflight', 'clone', 'components', 'install', 'secret', 'sync', 'apply', 'health'];

async function fluxAzdo(round) {
  const name = `fa-${round < 0 ? 'warm' : round}`;
  git.createRepo('org', 'project', name);
  const standIn = controllerStandIn(cluster, name);
  const stepAt = {};
  let t0;
  const onLine = (line) => {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    if (event.type === 'step') stepAt[event.step] = performance.now() - t0;
    standIn.onEvent(event);
  };
  t0 = performance.now();
  const { ms, peakRssMiB, cpuMs } = await runProcess(
    process.execPath,
    [cliPath, ...tokenArgs(name), `--kubeconfig=${cluster.kubeconfigPath}`, '--json'],
    {
      env,
      rss: true,
      cpu: true,
      onLine,
    },
  );
  await standIn.settled();
  const steps = {};
  for (let i = 0; i < STEPS.length; i++) {
    const start = stepAt[STEPS[i]];
    const end = i + 1 < STEPS.length ? stepAt[STEPS[i + 1]] : ms;
    if (start !== undefined && end !== undefined) steps[`step ${STEPS[i]}`] = end - start;
  }
  return { ms, rss: peakRssMiB, cpuMs, toHealth: stepAt.health ?? ms, startup: stepAt.preflight ?? 0, ...steps };
}

async function gitAndKubectl(round) {
  const name = `cli-${round < 0 ? 'warm' : round}`;
  // Flux's layout: <path>/<namespace>/.
  const fluxSystem = `${path}/${name}`;
  git.createRepo('org', 'project', name);
  // The same files flux-azdo pushes, for this repo and namespace, before the clock starts.
  const files = join(work, `${name}-files`);
  await runProcess(process.execPath, [cliPath, ...tokenArgs(name), '--export', files], { env });
  const secretFile = join(work, `${name}-password`);
  writeFileSync(secretFile, pat, { mode: 0o600 });
  const dir = join(work, name);
  const read = (file) => readFileSync(join(files, fluxSystem, file));
  const write = (file) => {
    mkdirSync(join(dir, fluxSystem), { recursive: true });
    writeFileSync(join(dir, fluxSystem, file), read(file));
  };
  const peaks = [];
  let cpuMs = 0;
  const t0 = performance.now();
  const step = async (p) => {
    const res = await p;
    peaks.push(res.peakRssMiB);
    cpuMs += res.cpuMs ?? 0;
  };
  await step(gitRun(['clone', '--quiet', '--depth', '1', git.repoUrl('org', 'project', name), dir], true));
  write('gotk-components.yaml');
  await step(gitRun(['-C', dir, 'add', '-A'], true));
  await step(gitRun(['-C', dir, 'commit', '--quiet', '-m', `Add Flux ${FLUX_VERSION} component manifests`], true));
  await step(gitRun(['-C', dir, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main'], true));
  await step(kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(dir, fluxSystem, 'gotk-components.yaml')], true));
  await step(
    kubectl(
      [
        'create',
        'secret',
        'generic',
        'flux-system',
        `--namespace=${name}`,
        '--from-literal=username=git',
        `--from-file=password=${secretFile}`,
        `--from-file=ca.crt=${git.caFile}`,
      ],
      true,
    ),
  );
  write('gotk-sync.yaml');
  write('kustomization.yaml');
  await step(gitRun(['-C', dir, 'add', '-A'], true));
  await step(gitRun(['-C', dir, 'commit', '--quiet', '-m', `Add Flux ${FLUX_VERSION} sync manifests`], true));
  await step(gitRun(['-C', dir, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main'], true));
  await step(kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(dir, fluxSystem, 'gotk-sync.yaml')], true));
  const ms = performance.now() - t0;
  rmSync(secretFile, { force: true });
  return { ms, rss: Math.max(...peaks), cpuMs };
}

// The REST pre-flight alone (bootstrap's branch-policy question, through the package's own
// client) as a process, against `node -e 0`: what it adds to an HTTPS bootstrap (loading
// azure-devops-node-api, TLS, one call), though bootstrap now overlaps it with the cluster's.
const distUrl = (file) => new URL(`../npm/dist/${file}`, import.meta.url).href;
const restProbe = `
const { parseRepoUrl } = await import(${JSON.stringify(distUrl('core/node.js'))});
const { AzureDevOpsRest } = await import(${JSON.stringify(distUrl('azdo/rest.js'))});
const { SecretValue } = await import(${JSON.stringify(distUrl('secret-value.js'))});
const repo = parseRepoUrl(process.env.BENCH_REPO_URL);
const rest = new AzureDevOpsRest({ repo, credential: { kind: 'pat', token: new SecretValue(process.env.BENCH_PAT) }, caFile: process.env.BENCH_CA_FILE });
await rest.branchPolicies('main');
`;
async function restPreflight(round) {
  const name = `rest-${round < 0 ? 'warm' : round}`;
  git.createRepo('org', 'project', name);
  const probeEnv = { ...process.env, BENCH_PAT: pat, BENCH_CA_FILE: git.caFile, BENCH_REPO_URL: git.repoUrl('org', 'project', name) };
  const probe = await runProcess(process.execPath, ['--input-type=module', '-e', restProbe], { env: probeEnv, cpu: true });
  const floor = await runProcess(process.execPath, ['-e', '0'], { cpu: true });
  return { ms: probe.ms - floor.ms, cpuMs: (probe.cpuMs ?? 0) - (floor.cpuMs ?? 0) };
}

let result;
try {
  // flux-azdo first: its warm-up round installs the CRDs the baseline's sync objects need.
  result = await interleave(
    { 'flux-azdo bootstrap git': fluxAzdo, 'git + kubectl': gitAndKubectl, 'REST pre-flight': restPreflight },
    RUNS,
  );
} finally {
  await Promise.allSettled([cluster.stop(), git.stop()]);
  rmSync(work, { recursive: true, force: true });
}

const ours = result.medians['flux-azdo bootstrap git'];
const base = result.medians['git + kubectl'];
const f = (n) => n.toFixed(0).padStart(6);
console.log(`runs per case: ${RUNS}, interleaved; token flow, default components, a fresh repo and namespace per run`);
console.log(`git + kubectl                      wall median ${f(base.ms)} ms   peak RSS ${base.rss.toFixed(1)} MiB`);
console.log(
  `flux-azdo bootstrap git            wall median ${f(ours.ms)} ms   peak RSS ${ours.rss.toFixed(1)} MiB   ` +
    `${(ours.ms / base.ms).toFixed(2)}× wall (target ≤ 1.2×), ${(ours.rss / base.rss).toFixed(2)}× RSS (target ≤ 1.5×)`,
);
if (canTimeCpu) {
  console.log(
    `CPU (user + system): git + kubectl ${f(base.cpuMs)} ms, flux-azdo ${f(ours.cpuMs)} ms, ${(ours.cpuMs / base.cpuMs).toFixed(2)}× (the wall's load-free part)`,
  );
}
console.log(
  `flux-azdo up to its health wait    wall median ${f(ours.toHealth)} ms   ${(ours.toHealth / base.ms).toFixed(2)}× the baseline's wall`,
);
const rest = result.medians['REST pre-flight'];
console.log(
  `REST pre-flight alone (process minus node -e 0): wall ${f(rest.ms)} ms${canTimeCpu ? `, CPU ${f(rest.cpuMs)} ms` : ''} (overlapped with the cluster's pre-flight in bootstrap)`,
);
console.log(`flux-azdo where the time goes (medians): start to pre-flight ${f(ours.startup)} ms`);
for (const s of STEPS) {
  const values = result.samples['flux-azdo bootstrap git'][`step ${s}`];
  if (values) console.log(`  ${s.padEnd(12)} ${f(median(values))} ms`);
}
