// Unit tests of the pieces of npm/src/kube that need no cluster (the rest is in tests/e2e/kube.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNOWN_TYPES, objectRef, resourcePath, splitManifests, parseVersion, compareVersions } from '../dist/kube/index.js';

const cm = (name, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;

test('splits at document markers and keeps each document byte for byte', () => {
  const docs = [cm('a', 'data:\n  x: "1"\n'), cm('b', 'data:\n  script: |\n    echo start\n    ---\n    echo still the same document\n')];
  const text = `---\n# leading comment\n${docs[0]}--- \n${docs[1]}---\n# only a comment\n...\n`;
  const objects = splitManifests(text);
  assert.deepEqual(
    objects.map((o) => o.name),
    ['a', 'b'],
  );
  assert.equal(objects[0].text, `# leading comment\n${docs[0]}`);
  assert.equal(objects[1].text, docs[1]);
  assert.deepEqual(
    objects.map((o) => o.index),
    [0, 1],
  );
});

test('reads namespace, CRLF line ends and flow-style documents', () => {
  const crlf = 'apiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: s\r\n  namespace: ns\r\n---\r\n';
  const flow = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"x"}}\n';
  const objects = splitManifests(crlf + flow);
  assert.deepEqual(
    objects.map((o) => [o.apiVersion, o.kind, o.namespace, o.name]),
    [
      ['v1', 'Secret', 'ns', 's'],
      ['apps/v1', 'Deployment', 'x', 'd'],
    ],
  );
});

test('a document that is not one named object is INVALID_YAML', () => {
  for (const bad of ['apiVersion: v1\nkind: ConfigMap\n', 'kind: ConfigMap\nmetadata:\n  name: x\n', 'metadata: [unclosed\n']) {
    assert.throws(
      () => splitManifests(bad, 'test.yaml'),
      (err) => err.code === 'INVALID_YAML' && err.message.startsWith('test.yaml'),
    );
  }
});

test('parses and compares Kubernetes versions', () => {
  assert.deepEqual(parseVersion('v1.36.3'), [1, 36, 3]);
  assert.deepEqual(parseVersion('1.33'), [1, 33, 0]);
  assert.deepEqual(parseVersion('v1.30.1-gke.100'), [1, 30, 1]);
  assert.deepEqual(parseVersion('1.29+'), [1, 29, 0]);
  assert.equal(parseVersion('latest'), undefined);
  assert.ok(compareVersions([1, 36, 3], [1, 33, 0]) > 0);
  assert.ok(compareVersions([1, 32, 9], [1, 33, 0]) < 0);
  assert.equal(compareVersions([1, 33, 0], [1, 33, 0]), 0);
  assert.ok(compareVersions([1, 9, 0], [1, 33, 0]) < 0, 'numeric, not lexical');
});

test('resourcePath: /api for the core group, /apis for the others; namespaces only for namespaced types', () => {
  assert.equal(resourcePath(KNOWN_TYPES.Secret, 'flux-system', 'flux-system'), '/api/v1/namespaces/flux-system/secrets/flux-system');
  assert.equal(resourcePath(KNOWN_TYPES.Secret, 'flux-system'), '/api/v1/namespaces/flux-system/secrets');
  assert.equal(resourcePath(KNOWN_TYPES.Kustomization, undefined), '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations');
  assert.equal(resourcePath(KNOWN_TYPES.Namespace, 'ignored', 'a b'), '/api/v1/namespaces/a%20b');
  assert.equal(
    resourcePath({ apiVersion: 'example.com/v1', plural: 'things', namespaced: true }, 'n/s', 'x'),
    '/apis/example.com/v1/namespaces/n%2Fs/things/x',
  );
});

test('objectRef: Kind/namespace/name, or Kind/name without a namespace', () => {
  assert.equal(objectRef({ kind: 'Secret', namespace: 'ns', name: 's' }), 'Secret/ns/s');
  assert.equal(objectRef({ kind: 'Namespace', name: 'ns' }), 'Namespace/ns');
  assert.equal(objectRef({ kind: 'ClusterRole', namespace: undefined, name: 'r' }), 'ClusterRole/r');
});
