// What a CLI start loads: `--help` and `version` answer from the facts the build emitted
// (dist/core-facts.json) and never load or compile the wasm; the subcommands' `--help` parse
// their flags from the same facts without compiling it; and the facts are the core's own answers.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { cliPath, repoRoot } from './helpers.mjs';

const npmDir = join(repoRoot, 'npm');
const factsFile = join(npmDir, 'dist', 'core-facts.json');
const wasmFile = join(npmDir, 'wasm', 'flux_azdo_wasm_bg.wasm');
const probeDir = mkdtempSync(join(tmpdir(), 'flux-azdo-cli-start-'));
test.after(() => rmSync(probeDir, { recursive: true, force: true }));

// A preload that records every module the CLI resolves (a resolve hook, as Node's loader sees
// them) and every wasm compile (WebAssembly.Module / compile / instantiate from bytes), and
// prints both to stderr when the process exits.
writeFileSync(
  join(probeDir, 'hooks.mjs'),
  `import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  writeSync(2, 'PROBE-MODULE ' + resolved.url + '\\n');
  return resolved;
}
`,
);
writeFileSync(
  join(probeDir, 'probe.mjs'),
  `import { register } from 'node:module';
import { writeSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(join(probeDir, 'hooks.mjs')).href)});
let compiles = 0;
const W = globalThis.WebAssembly;
const Module = W.Module;
W.Module = function (bytes) { compiles++; return new Module(bytes); };
W.Module.prototype = Module.prototype;
for (const name of ['compile', 'instantiate', 'compileStreaming', 'instantiateStreaming']) {
  const original = W[name];
  W[name] = (source, ...rest) => { if (!(source instanceof Module)) compiles++; return original.call(W, source, ...rest); };
}
process.on('exit', () => writeSync(2, 'PROBE-COMPILES ' + compiles + '\\n'));
`,
);

function runProbed(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', pathToFileURL(join(probeDir, 'probe.mjs')).href, cliPath, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString();
      const modules = [...stderr.matchAll(/^PROBE-MODULE (.*)$/gm)].map((m) => m[1]);
      const compiles = Number(/^PROBE-COMPILES (\d+)$/m.exec(stderr)?.[1]);
      resolve({ code, stdout: Buffer.concat(out).toString(), modules, compiles });
    });
  });
}

const wasmGlue = pathToFileURL(join(npmDir, 'wasm', 'flux_azdo_wasm.js')).href;
const core = await import(pathToFileURL(join(npmDir, 'dist', 'core', 'node.js')).href);
const pkg = JSON.parse(readFileSync(join(npmDir, 'package.json'), 'utf8'));

test('the facts the build emitted are the core’s own version and defaults', () => {
  const facts = JSON.parse(readFileSync(factsFile, 'utf8'));
  // Through JSON, as the build writes them: fields the core leaves undefined are absent.
  const asked = { packageVersion: pkg.version, fluxVersion: core.fluxVersion(), defaults: core.defaults() };
  assert.deepEqual(facts, JSON.parse(JSON.stringify(asked)));
});

test('the probe sees a wasm compile (it would catch one in the cases below)', async () => {
  const res = await runProbed(['install', '--export']);
  assert.equal(res.code, 0);
  assert.ok(res.compiles >= 1);
  assert.ok(res.modules.includes(wasmGlue));
});

for (const args of [['--help'], ['version'], ['--version']]) {
  test(`flux-azdo ${args.join(' ')} loads neither the wasm nor its glue`, async () => {
    const res = await runProbed(args);
    assert.equal(res.code, 0);
    assert.equal(res.compiles, 0);
    assert.ok(!res.modules.includes(wasmGlue), res.modules.join('\n'));
    // Nothing but the CLI's own small modules and Node's built-ins.
    const ours = res.modules.filter((url) => !url.startsWith('node:')).map((url) => url.slice(url.indexOf('/npm/') + 5));
    for (const file of ours) assert.match(file, /^dist\/(cli\/(main|exit-codes|output|core-facts)|errors)\.js$/);
  });
}

test('version prints the package’s and the core’s versions', async () => {
  const res = await runProbed(['version']);
  assert.equal(res.stdout, `flux-azdo ${pkg.version} (Flux ${core.fluxVersion()})\n`);
});

for (const args of [
  ['install', '--help'],
  ['bootstrap', 'git', '--help'],
  ['rotate', '--help'],
  ['check', '--help'],
]) {
  test(`flux-azdo ${args.join(' ')} shows the core's defaults without compiling the wasm`, async () => {
    const res = await runProbed(args);
    assert.equal(res.code, 0);
    assert.equal(res.compiles, 0);
    assert.ok(res.stdout.includes(core.defaults().options.namespace));
  });
}

test('facts older than the wasm beside them are not used: the core answers', async () => {
  const { mtime } = statSync(factsFile);
  const wasmTime = statSync(wasmFile).mtime;
  try {
    utimesSync(factsFile, new Date(wasmTime.getTime() - 60_000), new Date(wasmTime.getTime() - 60_000));
    const res = await runProbed(['version']);
    assert.equal(res.code, 0);
    assert.equal(res.compiles, 1);
    assert.equal(res.stdout, `flux-azdo ${pkg.version} (Flux ${core.fluxVersion()})\n`);
  } finally {
    utimesSync(factsFile, mtime, mtime);
  }
});
