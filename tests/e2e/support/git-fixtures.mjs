// Shared helpers for the Git end-to-end tests: the git CLI (async: the servers run in this same
// process), reading a bare repo, and scanning anything for a leaked secret.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';

import { gitEnv } from '../../servers/git-https.mjs';

export { gitEnv };

/** An obviously fake PAT, new per run. */
export function fakePat(label = 'pat') {
  return `fake-${label}-${randomBytes(12).toString('hex')}`;
}

export function run(cmd, args, { env, cwd, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { env: env ?? gitEnv(), cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

/** Runs the git CLI; resolves stdout, trimmed. */
export async function gitCli(args, options) {
  const { stdout } = await run('git', args, options);
  return stdout.trim();
}

/** A bare repo's branch tip, or null when the branch does not exist. */
export async function remoteTip(bareDir, branch = 'main') {
  try {
    return await gitCli(['-C', bareDir, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
  } catch {
    return null;
  }
}

export async function remoteFile(bareDir, branch, path) {
  return gitCli(['-C', bareDir, 'show', `${branch}:${path}`]);
}

/** `sha|parents|author|subject` lines, newest first. */
export async function remoteLog(bareDir, branch = 'main') {
  const out = await gitCli(['-C', bareDir, 'log', '--format=%H|%P|%an <%ae>|%s', branch]);
  return out.split('\n').map((line) => {
    const [sha, parents, author, subject] = line.split('|');
    return { sha, parents: parents === '' ? [] : parents.split(' '), author, subject };
  });
}

/** The files bootstrap commits first: a big gotk-components.yaml, like Flux's (~350 KB). */
export function bootstrapFiles(prefix = 'clusters/my-cluster/flux-system', size = 350 * 1024, seed = 'v2.9.4') {
  const line = `# flux-azdo test manifest ${seed} ${'x'.repeat(60)}\n`;
  const components = `---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n${line.repeat(Math.ceil(size / line.length))}`;
  return [
    { path: `${prefix}/gotk-components.yaml`, content: components },
    { path: `${prefix}/gotk-sync.yaml`, content: `# sync ${seed}\n` },
    {
      path: `${prefix}/kustomization.yaml`,
      content: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n- gotk-sync.yaml\n',
    },
  ];
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const info = statSync(path);
    if (info.isDirectory()) yield* walk(path);
    else if (info.isFile()) yield path;
  }
}

/**
 * Every form a secret could leak in: itself, and the Basic header forms a PAT travels in.
 * @param {string} secret
 */
export function secretForms(secret, usernames = ['git']) {
  const forms = [secret];
  for (const user of usernames) forms.push(Buffer.from(`${user}:${secret}`).toString('base64'));
  forms.push(Buffer.from(`:${secret}`).toString('base64'));
  return forms;
}

/** Paths of files under `dir` whose bytes contain any of `needles`. */
export function filesContaining(dir, needles) {
  const hits = [];
  for (const path of walk(dir)) {
    const bytes = readFileSync(path);
    if (needles.some((needle) => bytes.includes(Buffer.from(needle)))) hits.push(path);
  }
  return hits;
}

/** Everything a caller could print about a value: inspect (deep, with stack and cause), JSON, String. */
export function everythingAbout(value) {
  const parts = [inspect(value, { depth: Infinity, showHidden: true }), String(value)];
  try {
    parts.push(JSON.stringify(value));
  } catch {
    // circular: inspect covers it
  }
  if (value instanceof Error) parts.push(value.stack ?? '', value.message);
  return parts.join('\n');
}

/** Calls `fn`, returns the error it throws (the test fails if it throws nothing). */
export async function rejection(fn) {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, got none');
}
