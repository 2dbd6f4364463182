// Differential test: the core's build of a flux-system folder against real kustomize
// (`kubectl kustomize`, kustomize v5 inside the harness's kubectl, built by tests/harness/build.sh)
// on the patches Flux's documentation gives (tests/e2e/support/kustomize-corpus.mjs) and the host
// key patch flux-azdo writes. Objects are compared parsed, keyed by kind, namespace and name
// (kubectl sorts its output; Flux's in-process build, like the core, keeps file order).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

import { parseAllDocuments } from 'yaml';

import * as core from '../../npm/dist/core/node.js';
import { testbinDir } from '../harness/cluster.mjs';
import { readReference } from '../support/flux-reference.mjs';
import { buildCases, invalidCases, unsupportedCases } from './support/kustomize-corpus.mjs';

const run = promisify(execFile);
const folder = 'clusters/test/flux-system';
let kubectl;
let work;
let components;
let sync;

before(async () => {
  kubectl = join(testbinDir(), 'kubectl');
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-kustomize-'));
  components = readReference('install.yaml');
  sync = core.generateSync({ url: 'ssh://git@ssh.dev.azure.com/v3/org/project/repo', targetPath: 'clusters/test' }).content;
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

function folderFiles(kustomization, files = {}) {
  const all = {
    'gotk-components.yaml': components,
    'gotk-sync.yaml': sync,
    'kustomization.yaml': kustomization,
    ...files,
  };
  return Object.fromEntries(Object.entries(all).map(([name, text]) => [`${folder}/${name}`, text]));
}

let caseNumber = 0;
async function kustomize(files) {
  const root = join(work, String(caseNumber++));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  try {
    const { stdout } = await run(kubectl, ['kustomize', join(root, folder)], { maxBuffer: 64 << 20 });
    return { ok: true, objects: byId(stdout) };
  } catch (err) {
    return { ok: false, stderr: String(err.stderr ?? err) };
  }
}

function coreBuild(files) {
  return core.kustomizeBuild({ kustomization: `${folder}/kustomization.yaml`, files });
}

function byId(text) {
  const out = new Map();
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJS();
    if (o === null || o === undefined) continue;
    const id = `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    assert.ok(!out.has(id), `${id} twice`);
    out.set(id, o);
  }
  return out;
}

function assertSameObjects(ours, theirs, name) {
  assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort(), `${name}: the same objects`);
  for (const [id, object] of theirs) assert.deepEqual(ours.get(id), object, `${name}: ${id}`);
}

for (const c of buildCases) {
  test(`builds as kustomize does: ${c.name}`, async () => {
    const files = folderFiles(c.kustomization, c.files);
    const theirs = await kustomize(files);
    assert.ok(theirs.ok, `kustomize refused the case: ${theirs.stderr}`);
    const ours = coreBuild(files);
    assert.equal(ours.sources.length, theirs.objects.size);
    assertSameObjects(byId(ours.yaml), theirs.objects, c.name);
  });
}

test('the host key patch flux-azdo adds builds as kustomize builds it, into the existing patches', async () => {
  const existing = buildCases.find((c) => c.name.startsWith('controller flags')).kustomization;
  const { manifest } = core.generateKustomization({
    existing,
    targetPath: 'clusters/test',
    sshHostkeyAlgos: ['rsa-sha2-512', 'rsa-sha2-256'],
  });
  const files = folderFiles(manifest.content);
  const theirs = await kustomize(files);
  assert.ok(theirs.ok, theirs.stderr);
  const ours = byId(coreBuild(files).yaml);
  assertSameObjects(ours, theirs.objects, 'host key');
  const args = ours.get('apps/v1/Deployment/flux-system/source-controller').spec.template.spec.containers[0].args;
  assert.ok(args.includes('--ssh-hostkey-algos=rsa-sha2-512,rsa-sha2-256'));
  assert.ok(args.includes('--concurrent=20'));
});

for (const c of invalidCases) {
  test(`refuses what kustomize refuses, as KUSTOMIZATION_INVALID: ${c.name}`, async () => {
    const files = folderFiles(c.kustomization);
    const theirs = await kustomize(files);
    assert.equal(theirs.ok, false, 'kustomize builds it');
    assert.throws(
      () => coreBuild(files),
      (err) => err.code === 'KUSTOMIZATION_INVALID',
    );
  });
}

for (const c of unsupportedCases) {
  // The field named is asserted on the Rust error (crate/core/src/kustomize/tests.rs).
  test(`refuses ${c.field} as KUSTOMIZATION_UNSUPPORTED`, () => {
    const files = folderFiles(c.kustomization);
    assert.throws(
      () => coreBuild(files),
      (err) => err instanceof core.FluxAzdoError && err.code === 'KUSTOMIZATION_UNSUPPORTED',
    );
  });
}
