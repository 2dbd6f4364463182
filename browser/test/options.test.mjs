// The form state ⇄ core options ⇄ URL fragment mapping (the DOM half is covered end to end).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseRepoUrl } from 'flux-azdo/core';

import { loadPageModule } from './load-ts.mjs';

const { EXAMPLE_URL, fromFragment, toFragment, toPlanOptions } = await loadPageModule('options.ts');

/** The repository URL the fragment keeps for `url` typed in the form (null: none). */
const sharedUrl = (url) => new URLSearchParams(toFragment({ ...defaults, url }, defaults)).get('url');

const defaults = {
  url: '',
  auth: 'ssh',
  branch: '',
  sshHostkeyAlgos: '',
  components: 'source-controller,kustomize-controller,helm-controller,notification-controller',
  componentsExtra: '',
  networkPolicy: 'true',
  logLevel: 'info',
  tolerationKeys: '',
  version: 'v2.9.4',
};

test('empty text fields are left to the core; lists, switches and auth are explicit', () => {
  const options = toPlanOptions({ ...defaults, branch: ' ', tolerationKeys: 'a, b ,,c' });
  assert.equal(options.url, EXAMPLE_URL);
  assert.equal('branch' in options, false);
  assert.equal('sshHostkeyAlgos' in options, false);
  assert.deepEqual(options.tolerationKeys, ['a', 'b', 'c']);
  assert.deepEqual(options.componentsExtra, []);
  assert.equal(options.networkPolicy, true);
  assert.equal(options.tokenAuth, false);
  assert.equal(options.version, 'v2.9.4');
  assert.equal(toPlanOptions({ ...defaults, auth: 'token' }).tokenAuth, true);
  assert.equal(toPlanOptions({ ...defaults, auth: 'azure' }).provider, 'azure');
  const id = '11111111-2222-3333-4444-555555555555';
  const azure = toPlanOptions({ ...defaults, auth: 'azure', workloadIdentityClientId: ` ${id} `, workloadIdentityTenantId: id });
  assert.equal(azure.workloadIdentityClientId, id);
  assert.equal(azure.workloadIdentityTenantId, id);
  // Switching back to a token leaves the fields filled but not in the options.
  const token = toPlanOptions({ ...defaults, auth: 'token', workloadIdentityClientId: id, workloadIdentityTenantId: id });
  assert.equal(token.workloadIdentityClientId, undefined);
  assert.equal(token.workloadIdentityTenantId, undefined);
});

test('the fragment holds only what differs from the defaults, and reads back', () => {
  const state = { ...defaults, url: 'https://dev.azure.com/a/b/_git/c', branch: 'dev', componentsExtra: 'source-watcher' };
  const fragment = toFragment(state, defaults);
  assert.deepEqual([...new URLSearchParams(fragment).keys()].sort(), ['branch', 'componentsExtra', 'url']);
  assert.deepEqual({ ...defaults, ...fromFragment(`#${fragment}`, defaults) }, state);
  assert.deepEqual(fromFragment('#unknown=1&branch=x', defaults), { branch: 'x' });
});

test('a password in the URL never reaches the fragment', () => {
  const secret = `fake-${process.pid}`;
  for (const url of [
    `https://org:${secret}@dev.azure.com/org/p/_git/r`,
    `https://:${secret}@dev.azure.com/org/p/_git/r`,
    `ssh://git:${secret}@ssh.dev.azure.com/v3/org/p/r`,
    `https://org:${secret}@with-at@dev.azure.com/org/p/_git/r`,
    `org:${secret}@dev.azure.com/org/p/_git/r`,
  ]) {
    const fragment = toFragment({ ...defaults, url }, defaults);
    assert.ok(!fragment.includes(secret), fragment);
    assert.ok(!decodeURIComponent(fragment).includes(secret), fragment);
  }
  // The core's normal form of the URL (which holds no password) is what the fragment keeps.
  for (const url of [
    'git@ssh.dev.azure.com:v3/o/p/r',
    'https://org:x@dev.azure.com/o/p/_git/r',
    'https://dev.azure.com:443/o/p/_git/r@x',
  ]) {
    assert.equal(sharedUrl(url), parseRepoUrl(url).url);
  }
  assert.equal(sharedUrl('https://org:x@dev.azure.com/o/p/_git/r'), 'https://dev.azure.com/o/p/_git/r');
  assert.equal(sharedUrl('git@ssh.dev.azure.com:v3/o/p/r'), 'ssh://git@ssh.dev.azure.com/v3/o/p/r');
  // Text the core cannot parse yet is kept as typed, unless it has user info (which may hide a password).
  assert.equal(sharedUrl('https://dev.azure.com/acme'), 'https://dev.azure.com/acme');
  assert.equal(sharedUrl('https://org@dev.azure.com/x'), null);
  assert.equal(sharedUrl(`https://org:${secret}@dev.a`), null);
});
