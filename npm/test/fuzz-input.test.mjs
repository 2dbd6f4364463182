// Seeded fuzzing of what users hand the CLI: its argument parser and the kubeconfig loader. Any
// input gives a result or a typed FluxAzdoError naming the option, never a TypeError or a crash;
// the parser reads back every flag it is given in every spelling pflag accepts; a secret flag's
// value never shows up in an error. The seed is printed, and FLUX_AZDO_FUZZ_SEED replays a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseArgs } from '../dist/cli/args.js';
import { bootstrapGitFlags, globalFlags, installFlags } from '../dist/cli/flags.js';
import { defaults } from '../dist/core/node.js';
import { FluxAzdoError } from '../dist/errors.js';
import { listKubeContexts, loadKubeConfig } from '../dist/kube/kubeconfig.js';

const SEED = Number(process.env.FLUX_AZDO_FUZZ_SEED ?? Date.now() % 2 ** 31);
console.log(`# fuzz seed ${SEED} (FLUX_AZDO_FUZZ_SEED=${SEED} replays it)`);

/** mulberry32: small, seeded, good enough to pick inputs. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (items) => items[int(items.length)];
  const text = (max = 12) => {
    const alphabet = ['a', 'Z', '0', '-', '=', ',', ' ', ':', '/', '.', '"', '\\', '\n', 'é', '😀', '\u0000', 't', 'f'];
    return Array.from({ length: int(max + 1) }, () => pick(alphabet)).join('');
  };
  return { next, int, pick, text };
}

const SPECS = (() => {
  const flux = defaults();
  return [...bootstrapGitFlags(flux), ...installFlags(flux), ...globalFlags(flux)];
})();

function assertTyped(err, what) {
  assert.ok(err instanceof FluxAzdoError, `${what}: ${err?.stack ?? err}`);
  return err;
}

test('parseArgs: any argv parses or is a USAGE error naming a flag', () => {
  const r = rng(SEED);
  const pieces = () =>
    r.pick([
      () => `--${r.pick(SPECS).name}`,
      () => `--${r.pick(SPECS).name}=${r.text()}`,
      () => `-${r.pick(SPECS.filter((s) => s.short)).short}${r.text(3)}`,
      () => `--${r.text(6)}`,
      () => `-${r.text(3)}`,
      () => r.pick(['--', '-', '', '=', '--=', 'true', 'false', '-1', '1e3', '0x10']),
      () => r.text(),
    ])();
  for (let i = 0; i < 3000; i++) {
    const argv = Array.from({ length: r.int(8) }, pieces);
    try {
      const parsed = parseArgs(argv, SPECS);
      for (const name of parsed.given)
        assert.ok(
          SPECS.some((s) => s.name === name),
          name,
        );
    } catch (err) {
      const e = assertTyped(err, JSON.stringify(argv));
      assert.equal(e.code, 'USAGE', JSON.stringify(argv));
      assert.equal(typeof e.option, 'string', JSON.stringify(argv));
    }
  }
});

test('parseArgs: every flag reads back, in each spelling pflag accepts', () => {
  const r = rng(SEED + 1);
  const valueFor = (spec) => {
    switch (spec.type) {
      case 'bool':
        return r.next() < 0.5;
      case 'int':
        return r.int(100000) - 50000;
      case 'list':
        return Array.from({ length: 1 + r.int(3) }, () => `item${r.int(99)}`);
      default:
        // A value that is not itself a flag (a separate `--x -y` would be read as a flag by pflag too).
        return `v${r.text(10)}`.replace(/^v-/, 'v');
    }
  };
  for (let i = 0; i < 2000; i++) {
    const chosen = new Map();
    for (let k = 0; k < 1 + r.int(6); k++) {
      const spec = r.pick(SPECS.filter((s) => !s.unsupported));
      if (spec.path && spec.type === 'string') continue;
      chosen.set(spec.name, { spec, value: valueFor(spec) });
    }
    const argv = [];
    for (const { spec, value } of chosen.values()) {
      const name = spec.short && r.next() < 0.3 ? `-${spec.short}` : `--${spec.name}`;
      const shown = Array.isArray(value) ? value.join(',') : String(value);
      if (spec.type === 'bool') {
        argv.push(value && r.next() < 0.5 ? name : `${name}=${shown}`);
      } else if (r.next() < 0.5) {
        argv.push(`${name}=${shown}`);
      } else {
        argv.push(name, shown);
      }
    }
    const parsed = parseArgs(argv, SPECS);
    for (const { spec, value } of chosen.values()) {
      assert.deepEqual(parsed.values.get(spec.name), value, `${spec.name} from ${JSON.stringify(argv)}`);
      assert.ok(parsed.given.has(spec.name));
    }
  }
});

test('parseArgs: a secret flag value is never in an error', () => {
  const r = rng(SEED + 2);
  const secrets = SPECS.filter((s) => s.secret);
  assert.ok(secrets.some((s) => s.name === 'registry-creds') && secrets.some((s) => s.name === 'password'));
  for (let i = 0; i < 2000; i++) {
    const spec = r.pick(secrets);
    const value = `FAKE-secret-${r.int(1e9)}`;
    const noise = [`--${r.text(5)}`, `-${r.text(2)}`, '--token-auth=maybe', '--ssh-rsa-bits=abc', `--${spec.name}`];
    const argv = [`--${spec.name}=${value}`, ...Array.from({ length: r.int(3) }, () => r.pick(noise))];
    if (r.next() < 0.5) argv.reverse();
    try {
      parseArgs(argv, SPECS);
    } catch (err) {
      const e = assertTyped(err, JSON.stringify(argv));
      assert.ok(!e.message.includes(value), `${e.message} shows the --${spec.name} value`);
    }
  }
});

test('kubeconfig: broken files are KUBECONFIG_INVALID (or load), never a crash', () => {
  const r = rng(SEED + 3);
  const dir = mkdtempSync(join(tmpdir(), 'flux-azdo-fuzz-kubeconfig-'));
  const valid = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c',
    '  cluster:',
    '    server: https://127.0.0.1:6443',
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: u',
    '  user:',
    '    exec:',
    '      apiVersion: client.authentication.k8s.io/v1beta1',
    '      command: kubelogin',
    '      args: [get-token, --login, azurecli]',
    '      env: [{name: AAD_LOGIN_METHOD, value: azurecli}]',
    'contexts:',
    '- name: x',
    '  context: {cluster: c, user: u}',
    'current-context: x',
  ];
  const wrongValues = ['5', 'null', '[]', '{}', '"text"', '[1, 2]', '{a: b}', '[null]', 'true', '!!binary AAAA', '*anchor', '{{', ': :'];
  const mutate = () => {
    const lines = [...valid];
    for (let k = 0; k < 1 + r.int(4); k++) {
      const at = r.int(lines.length);
      r.pick([
        () => lines.splice(at, 1),
        () => {
          const line = lines[at] ?? '';
          const colon = line.indexOf(':');
          lines[at] = colon >= 0 ? `${line.slice(0, colon + 1)} ${r.pick(wrongValues)}` : r.pick(wrongValues);
        },
        () => lines.splice(at, 0, r.text(20)),
        () => (lines[at] = (lines[at] ?? '').slice(0, r.int(20))),
      ])();
    }
    return lines.join('\n');
  };
  try {
    const cases = [
      '',
      '\u0000\u0001binary',
      '- a list',
      'just text',
      'clusters: 5\nusers: 5\ncontexts: 5\ncurrent-context: x',
      valid.join('\n').replace('env: [{name: AAD_LOGIN_METHOD, value: azurecli}]', 'env: {AAD_LOGIN_METHOD: devicecode}'),
      valid.join('\n').replace('args: [get-token, --login, azurecli]', 'args: get-token'),
      // Found by this test: each was a TypeError before the exec block was checked.
      valid
        .join('\n')
        .replace('args: [get-token, --login, azurecli]', 'args: [get-token]')
        .replace('env: [{name: AAD_LOGIN_METHOD, value: azurecli}]', 'env: {AAD_LOGIN_METHOD: devicecode}'),
      valid.join('\n').replace('args: [get-token, --login, azurecli]', 'args: 5'),
      valid.join('\n').replace('command: kubelogin', 'command: [kubelogin]'),
      valid.join('\n').replace('env: [{name: AAD_LOGIN_METHOD, value: azurecli}]', 'env: [5]').replace('--login, azurecli', 'x'),
      ...Array.from({ length: 400 }, mutate),
    ];
    for (const [i, text] of cases.entries()) {
      const file = join(dir, `config-${i}`);
      writeFileSync(file, text);
      for (const load of [() => loadKubeConfig({ kubeconfig: file, env: {} }), () => listKubeContexts({ kubeconfig: file, env: {} })]) {
        try {
          load();
        } catch (err) {
          const e = assertTyped(err, text);
          assert.ok(['KUBECONFIG_INVALID', 'KUBE_AUTH_INTERACTIVE'].includes(e.code), `${e.code} for ${JSON.stringify(text)}`);
          assert.equal(e.option ? typeof e.option : 'string', 'string');
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
