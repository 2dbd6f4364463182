// Retry-After as Azure DevOps may send it (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), and
// the retry bounds read from the core. The behaviour against a real server is in
// tests/e2e/git-faults.test.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { defaults } from '../dist/core/node.js';
import { isRetryableStatus, retryAfterMs } from '../dist/git/server-retry.js';

test('Retry-After: seconds, an HTTP date, or nothing usable', () => {
  const now = Date.parse('Tue, 01 Dec 2026 17:00:00 GMT');
  assert.equal(retryAfterMs('7', now), 7000);
  assert.equal(retryAfterMs(' 0 ', now), 0);
  assert.equal(retryAfterMs('Tue, 01 Dec 2026 17:00:30 GMT', now), 30_000);
  assert.equal(retryAfterMs('Tue, 01 Dec 2026 16:59:00 GMT', now), 0, 'a date in the past: at once');
  assert.equal(retryAfterMs(undefined, now), undefined);
  assert.equal(retryAfterMs('soon', now), undefined);
  assert.equal(retryAfterMs('-5', now), undefined);
});

test('the retried statuses are the core list, nothing else', () => {
  for (const status of defaults().gitRetryStatuses) assert.equal(isRetryableStatus(status), true, String(status));
  for (const status of [200, 203, 400, 401, 403, 404, 409, 501]) assert.equal(isRetryableStatus(status), false, String(status));
});
