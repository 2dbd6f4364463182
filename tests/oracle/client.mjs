// Starts the Flux generator oracle (tests/oracle, built by build.sh outside the checkout) and
// sends it requests: one JSON line in, one JSON line out, answered in order.
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { manifestsDir } from '../support/flux-reference.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Builds the oracle if needed (fast when warm) and returns the binary's path. */
export function buildOracle() {
  return execFileSync('bash', [`${here}build.sh`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/**
 * Starts one oracle process. `request(obj)` resolves with its answer; requests may be sent
 * without waiting, they are answered in order. `stop()` ends the process.
 */
export function startOracle({ binary = buildOracle(), manifests = manifestsDir } = {}) {
  const child = spawn(binary, ['-manifests', manifests], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pending = [];
  let stderr = '';
  let exited = null;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const failAll = (err) => {
    while (pending.length > 0) pending.shift().reject(err);
  };
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    failAll(new Error(`oracle exited (${code ?? signal}): ${stderr.trim()}`));
  });
  child.on('error', failAll);
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = pending.shift();
    if (!waiter) return;
    try {
      waiter.resolve(JSON.parse(line));
    } catch (err) {
      waiter.reject(err);
    }
  });

  return {
    request(body) {
      if (exited) return Promise.reject(new Error(`oracle is not running: ${stderr.trim()}`));
      return new Promise((resolve, reject) => {
        pending.push({ resolve, reject });
        child.stdin.write(`${JSON.stringify(body)}\n`);
      });
    },
    stop() {
      if (exited) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      });
    },
  };
}
