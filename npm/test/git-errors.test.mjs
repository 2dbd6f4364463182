// How the server's refusal of a ref update is classified (npm/src/git/git-errors.ts): only
// "someone pushed first" is retried; Azure DevOps' branch policy refusal and every other refusal
// are not, and a hook's own text reaches the user.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { refRejection } from '../dist/git/git-errors.js';

const url = 'https://dev.azure.com/org/project/_git/repo';
const TF402455 = 'TF402455: Pushes to this branch are not permitted; you must use a pull request to update this branch.';

test('TF402455 → BRANCH_PROTECTED naming the branch and --pull-request', () => {
  const err = refRejection({ 'refs/heads/release/v1': { ok: false, error: TF402455 } }, url, '');
  assert.equal(err.code, 'BRANCH_PROTECTED');
  assert.equal(err.option, 'branch');
  assert.ok(err.message.includes('release/v1') && err.message.includes('--pull-request'), err.message);
});

test("git's own race texts and Azure DevOps' TF401028 → NON_FAST_FORWARD (retried)", () => {
  for (const reason of [
    'fetch first',
    'non-fast-forward',
    'failed to update ref',
    "TF401028: The reference 'refs/heads/main' has already been updated by another client",
  ]) {
    assert.equal(refRejection({ 'refs/heads/main': { ok: false, error: reason } }, url, '').code, 'NON_FAST_FORWARD', reason);
  }
});

test('other TF4024xx refusals are not a race: PUSH_REJECTED', () => {
  const err = refRejection({ 'refs/heads/main': { ok: false, error: 'TF402441: a permission refusal' } }, url, '');
  assert.equal(err.code, 'PUSH_REJECTED');
  assert.ok(err.message.includes('TF402441'), err.message);
});

test("a hook's refusal → PUSH_REJECTED quoting the side-band text", () => {
  const err = refRejection({ 'refs/heads/main': { ok: false, error: 'pre-receive hook declined' } }, url, '', [
    'remote: POLICY-7: no direct pushes\n',
    'remote: \n',
  ]);
  assert.equal(err.code, 'PUSH_REJECTED');
  assert.ok(err.message.includes('pre-receive hook declined') && err.message.includes('POLICY-7: no direct pushes'), err.message);
});
