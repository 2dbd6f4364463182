// One leak scanner for every end-to-end test that handles a secret (PAT, private key,
// passphrase). Given the test's secrets and what the test produced, it looks for each secret, in
// every encoded form it could travel in, in: printed output and event/result objects; the
// decompressed objects and files of every repository pushed to; every object the test apiserver
// serves (found through discovery) except the Git Secret's data; the argv and environment of
// processes; and files left in temp dirs. A test calls it right after producing its output, so no
// scan depends on test order. tests/e2e/support/leak-scan.test.mjs plants a secret in each place
// and checks it is found: a scan that cannot fail proves nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';

/**
 * The base64 characters fully determined by `bytes` wherever they sit in a base64 stream: one
 * string for each of the three alignments (a secret inside a larger encoded value, such as
 * `git:<pat>` in a Basic header or a key inside a base64'd file, starts at any offset mod 3).
 */
export function base64Cores(bytes) {
  const raw = Buffer.from(bytes);
  const cores = [];
  for (const pad of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(pad), raw]).toString('base64');
    const start = Math.ceil((pad * 8) / 6);
    const end = Math.floor(((pad + raw.length) * 8) / 6);
    cores.push(encoded.slice(start, end));
  }
  return cores;
}

function percentForms(value) {
  const encoded = encodeURIComponent(value);
  return encoded === value ? [] : [encoded, encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())];
}

/** The lines of a PEM/OpenSSH private key that carry key material (its base64 body). */
export function keyBodyLines(keyText) {
  return keyText
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length >= 20 && !line.startsWith('-----') && !/^[A-Za-z-]+:/.test(line));
}

/** Whether `line` shares a 24-character run with any public text (a key's public half). */
function overlapsPublic(line, publicTexts) {
  for (let i = 0; i + 24 <= line.length; i += 1) {
    const window = line.slice(i, i + 24);
    if (publicTexts.some((text) => text.includes(window))) return true;
  }
  return false;
}

/**
 * Every form each secret could leak in, as `{ label, needle }`: the value, its base64 (all three
 * alignments, which cover the `git:<pat>` / `:<pat>` Basic forms too; those are listed as well),
 * its percent-encoding; for a private key, each base64 body line and those forms of it. A private
 * key file carries its public half (OpenSSH keeps the public blob in clear; an RSA key's modulus
 * is in both), which bootstrap prints on purpose: body lines sharing text with a given public key
 * are not secret and are left out (the other lines still catch any leak of the whole key).
 * An Entra token or federated assertion (a JWT) is looked for whole, as `Bearer <jwt>`, in those
 * forms, and by its signature segment alone (the part that makes it usable; header and payload
 * are claims, not secrets). A client secret is a plain value. A registry credential
 * (`--registry-creds`) is looked for by its password in those forms and by Docker's `auth` field,
 * base64(`user:password`), itself in those forms (the image pull Secret's `data` holds the JSON
 * base64'd once more).
 * @param {{ pats?: string[], passphrases?: string[], privateKeys?: string[], publicKeys?: string[], usernames?: string[],
 *   entraTokens?: string[], assertions?: string[], clientSecrets?: string[],
 *   registryCreds?: { username: string, password: string }[] }} secrets
 */
export function secretNeedles({
  pats = [],
  passphrases = [],
  privateKeys = [],
  publicKeys = [],
  usernames = ['git'],
  entraTokens = [],
  assertions = [],
  clientSecrets = [],
  registryCreds = [],
}) {
  const needles = [];
  const add = (label, needle) => {
    // Short needles would match by chance; every secret a test makes is long and random.
    if (needle.length >= 8 && !needles.some((n) => n.needle === needle)) needles.push({ label, needle });
  };
  const addValue = (label, value) => {
    add(label, value);
    base64Cores(value).forEach((core, i) => add(`${label} (base64, offset ${i})`, core));
    for (const p of percentForms(value)) add(`${label} (percent-encoded)`, p);
  };
  pats.forEach((pat, i) => {
    addValue(`PAT #${i}`, pat);
    for (const user of usernames) add(`PAT #${i} (Basic ${user}:)`, Buffer.from(`${user}:${pat}`).toString('base64'));
    add(`PAT #${i} (Basic :)`, Buffer.from(`:${pat}`).toString('base64'));
  });
  passphrases.forEach((p, i) => addValue(`passphrase #${i}`, p));
  const addJwt = (label, jwt) => {
    addValue(label, jwt);
    addValue(`${label} (Bearer)`, `Bearer ${jwt}`);
    const signature = jwt.split('.')[2] ?? '';
    if (signature.length < 32) throw new Error(`${label} is not a signed JWT`);
    addValue(`${label} (signature)`, signature);
  };
  entraTokens.forEach((t, i) => addJwt(`Entra token #${i}`, t));
  assertions.forEach((a, i) => addJwt(`federated assertion #${i}`, a));
  clientSecrets.forEach((c, i) => addValue(`client secret #${i}`, c));
  registryCreds.forEach(({ username, password }, i) => {
    addValue(`registry password #${i}`, password);
    addValue(`registry credential #${i} (auth)`, Buffer.from(`${username}:${password}`).toString('base64'));
  });
  privateKeys.forEach((key, i) => {
    const lines = keyBodyLines(key).filter((line) => !overlapsPublic(line, publicKeys));
    if (lines.length < 5) throw new Error(`private key #${i} has too few secret body lines to look for`);
    lines.forEach((line, j) => addValue(`private key #${i} line ${j}`, line));
  });
  if (needles.length === 0) throw new Error('a leak scan needs at least one secret');
  return needles;
}

/** A leak report: where, which secret form. Empty when nothing leaked. */
function hitsIn(where, bytes, needles) {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(String(bytes));
  return needles.filter(({ needle }) => buf.includes(needle)).map(({ label }) => `${label} in ${where}`);
}

/** Everything a caller could print about a value: inspect (deep, hidden), JSON, String, stack. */
export function everythingAbout(value) {
  if (typeof value === 'string') return value;
  const parts = [inspect(value, { depth: Infinity, showHidden: true }), String(value)];
  try {
    parts.push(JSON.stringify(value));
  } catch {
    // circular: inspect covers it
  }
  if (value instanceof Error) parts.push(value.stack ?? '', value.message);
  return parts.join('\n');
}

/** Output text, events, results, errors. */
export function scanValues(needles, values) {
  return values.flatMap((value, i) =>
    hitsIn(`output/event #${i}: ${everythingAbout(value).slice(0, 120)}`, everythingAbout(value), needles),
  );
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const info = lstatSync(path);
    if (info.isDirectory()) yield* walk(path);
    else if (info.isFile()) yield path;
  }
}

/** Files under the given directories (clone folders, temp dirs, bare repos' own files). */
export function scanDirs(needles, dirs) {
  const hits = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const path of walk(dir)) hits.push(...hitsIn(`file ${path}`, readFileSync(path), needles));
  }
  return hits;
}

/** Every object of each bare repository, decompressed (loose and packed), and its own files. */
export function scanRepos(needles, bareDirs) {
  const hits = [];
  for (const dir of bareDirs) {
    const objects = execFileSync('git', ['--git-dir', dir, 'cat-file', '--batch-all-objects', '--batch'], { maxBuffer: 512 * 1024 * 1024 });
    hits.push(...hitsIn(`an object of ${dir}`, objects, needles));
    hits.push(...scanDirs(needles, [dir]));
  }
  return hits;
}

/** The bare repositories under a Git server's root (every repo a test could have pushed to). */
export function bareReposUnder(root) {
  if (!existsSync(root)) return [];
  if (existsSync(join(root, 'HEAD')) && existsSync(join(root, 'objects'))) return [root];
  return readdirSync(root)
    .filter((name) => lstatSync(join(root, name)).isDirectory())
    .flatMap((name) => bareReposUnder(join(root, name)));
}

/** `{namespace}/{name}` of a Secret whose data is allowed to hold the secrets (Flux's Git Secret). */
const secretKey = (item) => `${item.metadata?.namespace ?? ''}/${item.metadata?.name ?? ''}`;

/**
 * Every object the apiserver serves: discovery lists the resources of the core API and of every
 * group version; each listable one is listed across all namespaces. The allowed Secrets are
 * scanned without their `data`/`stringData` (their metadata and annotations must be clean too).
 * @param {(path: string) => Promise<{ status: number, body: any }>} get
 * @param {{ allowedSecrets?: string[] }} options `namespace/name` of each Git Secret
 */
export async function scanCluster(needles, get, { allowedSecrets = [] } = {}) {
  const hits = [];
  const lists = [];
  const must = async (path) => {
    // The apiserver answers 429/503 for a while after a CRD is created or while one is being
    // deleted; wait for it (bounded) rather than skip what the scan could not see.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await get(path);
      if (res.status === 200) return res.body;
      // A group version or custom resource type deleted since discovery listed it (uninstall
      // deletes Flux's CRDs): it serves nothing, so there is nothing to see.
      if (res.status === 404 && path.startsWith('/apis/')) return { resources: [], items: [] };
      if (![429, 503].includes(res.status) || Date.now() > deadline) {
        throw new Error(`leak scan: GET ${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}; the scan cannot see it`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const core = await must('/api/v1');
  for (const r of core.resources) lists.push({ base: '/api/v1', r });
  const groups = await must('/apis');
  for (const group of groups.groups) {
    for (const { groupVersion } of group.versions) {
      const list = await must(`/apis/${groupVersion}`);
      for (const r of list.resources) lists.push({ base: `/apis/${groupVersion}`, r });
    }
  }
  let objects = 0;
  for (const { base, r } of lists) {
    if (r.name.includes('/') || !r.verbs?.includes('list')) continue;
    const body = await must(`${base}/${r.name}`);
    for (const item of body.items ?? []) {
      objects += 1;
      let scanned = item;
      if (r.kind === 'Secret' && allowedSecrets.includes(secretKey(item))) {
        const { data: _d, stringData: _s, ...rest } = item;
        scanned = rest;
      }
      hits.push(...hitsIn(`${r.kind} ${secretKey(item)} (${base}/${r.name})`, JSON.stringify(scanned), needles));
    }
  }
  if (objects === 0) throw new Error('leak scan: the cluster served no objects; the scan saw nothing');
  return hits;
}

/** `/proc` view of a process: argv and environment, or null once it is gone. */
export function procSnapshot(pid) {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`).toString().split('\0').filter(Boolean);
    const env = readFileSync(`/proc/${pid}/environ`).toString().split('\0').filter(Boolean);
    return { pid, argv, env };
  } catch {
    return null;
  }
}

function childrenOf(pid) {
  const kids = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) kids.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone
  }
  return kids;
}

/**
 * Samples `/proc` every few milliseconds while a process runs: its argv and environment, and
 * those of every descendant it spawns. `stop()` returns what was seen (a process that lives less
 * than one interval can slip through; flux-azdo spawns none today, so the list is the CLI alone).
 */
export function watchProcessTree(rootPid, intervalMs = 5) {
  const seen = new Map();
  const sample = () => {
    const queue = [rootPid];
    while (queue.length > 0) {
      const pid = queue.shift();
      const snap = procSnapshot(pid);
      // Keyed by argv as well: a process first seen between fork and exec shows its parent's.
      const key = snap && `${pid}\0${snap.argv.join('\0')}`;
      if (snap && !seen.has(key)) seen.set(key, { ...snap, descendant: pid !== rootPid });
      queue.push(...childrenOf(pid));
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  // The watched process keeps the test alive, not the sampling.
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return [...seen.values()];
    },
  };
}

/**
 * Processes: no secret in any argv; none in a descendant's environment. The root's environment
 * is the test's own (it passes GIT_PASSWORD on purpose); `allowRootEnv: false` scans it as well.
 */
export function scanProcesses(needles, processes, { allowRootEnv = true } = {}) {
  const hits = [];
  for (const p of processes) {
    hits.push(...hitsIn(`argv of pid ${p.pid} (${p.argv.slice(0, 2).join(' ')})`, p.argv.join('\0'), needles));
    if (p.descendant || !allowRootEnv) hits.push(...hitsIn(`environment of pid ${p.pid} (${p.argv[0]})`, p.env.join('\0'), needles));
  }
  return hits;
}

/** Temp dir entries bootstrap makes and must remove (`flux-azdo-clone-…` and the like). */
export function leftoverTempEntries(tmpDir) {
  return existsSync(tmpDir) ? readdirSync(tmpDir).filter((name) => name.startsWith('flux-azdo')) : [];
}

/**
 * Runs every scan a test has material for and returns the leaks found (an empty list: clean).
 * @param {object} secrets see secretNeedles
 * @param {{ values?: unknown[], repos?: string[], dirs?: string[], processes?: object[],
 *   tmpDirs?: string[], cluster?: { get: Function, allowedSecrets?: string[] } }} produced
 */
export async function findLeaks(secrets, produced) {
  const needles = secretNeedles(secrets);
  const hits = [];
  hits.push(...scanValues(needles, produced.values ?? []));
  hits.push(...scanRepos(needles, produced.repos ?? []));
  hits.push(...scanDirs(needles, [...(produced.dirs ?? []), ...(produced.tmpDirs ?? [])]));
  hits.push(...scanProcesses(needles, produced.processes ?? []));
  for (const dir of produced.tmpDirs ?? []) {
    for (const name of leftoverTempEntries(dir)) hits.push(`leftover temp entry ${join(dir, name)}`);
  }
  if (produced.cluster) hits.push(...(await scanCluster(needles, produced.cluster.get, produced.cluster)));
  return hits;
}

/** findLeaks, failing the calling test with every leak found. */
export async function assertNoLeaks(secrets, produced) {
  const hits = await findLeaks(secrets, produced);
  if (hits.length > 0) throw new Error(`secrets leaked:\n  ${hits.join('\n  ')}`);
}
