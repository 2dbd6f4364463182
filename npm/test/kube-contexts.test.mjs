// listKubeContexts: the contexts a picker offers, from the kubeconfig files connect() reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { listKubeContexts } from '../dist/index.js';

function kubeconfig({ current, contexts }) {
  const clusters = [...new Set(contexts.map(([, cluster]) => cluster))];
  return [
    'apiVersion: v1',
    'kind: Config',
    ...(current ? [`current-context: ${current}`] : []),
    'clusters:',
    ...clusters.flatMap((c) => [`- name: ${c}`, '  cluster:', `    server: https://${c}.example:6443`]),
    'users:',
    '- name: u',
    '  user:',
    '    token: fake-token',
    'contexts:',
    ...contexts.flatMap(([name, cluster]) => [`- name: ${name}`, '  context:', `    cluster: ${cluster}`, '    user: u']),
    '',
  ].join('\n');
}

async function withFiles(files, fn) {
  const dir = await mkdtemp(join(tmpdir(), 'flux-azdo-kubeconfig-'));
  try {
    const paths = [];
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, name);
      if (text !== null) await writeFile(path, text);
      paths.push(path);
    }
    return await fn(paths, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const codeOf = (fn) => {
  try {
    fn();
  } catch (err) {
    return err.code;
  }
  return 'no error';
};

test('lists the contexts of KUBECONFIG like kubectl: missing files skipped, the first definition wins', async () => {
  await withFiles(
    {
      missing: null,
      a: kubeconfig({
        contexts: [
          ['dev', 'aks-dev'],
          ['prod', 'aks-prod'],
        ],
      }),
      b: kubeconfig({
        current: 'prod',
        contexts: [
          ['dev', 'other'],
          ['kind', 'kind-kind'],
        ],
      }),
    },
    (paths) => {
      const result = listKubeContexts({ env: { KUBECONFIG: paths.join(delimiter) } });
      assert.deepEqual(result, {
        contexts: [
          { name: 'dev', cluster: 'aks-dev' },
          { name: 'prod', cluster: 'aks-prod' },
          { name: 'kind', cluster: 'kind-kind' },
        ],
        current: 'prod',
      });
    },
  );
});

test('--kubeconfig names one file and wins over KUBECONFIG; ~/.kube/config is the default', async () => {
  await withFiles(
    { one: kubeconfig({ current: 'a', contexts: [['a', 'c1']] }), two: kubeconfig({ contexts: [['b', 'c2']] }) },
    async (paths, dir) => {
      assert.deepEqual(listKubeContexts({ kubeconfig: paths[1], env: { KUBECONFIG: paths[0] } }), {
        contexts: [{ name: 'b', cluster: 'c2' }],
        current: undefined,
      });
      const { mkdir, copyFile } = await import('node:fs/promises');
      await mkdir(join(dir, '.kube'));
      await copyFile(paths[0], join(dir, '.kube', 'config'));
      assert.equal(listKubeContexts({ env: { HOME: dir } }).current, 'a');
    },
  );
});

test('no kubeconfig, or one without contexts, is KUBECONFIG_INVALID', async () => {
  await withFiles({ empty: 'apiVersion: v1\nkind: Config\n' }, (paths, dir) => {
    assert.equal(
      codeOf(() => listKubeContexts({ env: { HOME: dir } })),
      'KUBECONFIG_INVALID',
    );
    assert.equal(
      codeOf(() => listKubeContexts({ kubeconfig: join(dir, 'nope') })),
      'KUBECONFIG_INVALID',
    );
    assert.equal(
      codeOf(() => listKubeContexts({ kubeconfig: paths[0] })),
      'KUBECONFIG_INVALID',
    );
  });
});
