/**
 * Flux's manifests bundle (the 9 files of the release asset `manifests.tar.gz`): from a folder or
 * a `.tar.gz` given with `--manifests`; for the core's own Flux version, the copy the package
 * carries (`bundle/manifests.json`, added when the package is built: see embedded-bundle.ts);
 * otherwise downloaded once per version into the cache
 * (`$XDG_CACHE_HOME/flux-azdo/manifests/<version>/manifests.tar.gz`), validated before it is kept:
 * complete, and, for the versions in BUNDLE_SHA256, byte for byte the files Flux released.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { BUNDLE_SHA256 } from './bundle-checksums.js';
import { fluxVersion, readBundle, type BundleData } from './core/node.js';
import { embeddedBundle } from './embedded-bundle.js';
import { FluxAzdoError } from './errors.js';
import type { LogEvent } from './events.js';

export { fluxVersion, type BundleData };

/** A folder holding the 9 bundle files, or a `manifests.tar.gz` file. */
export type BundleSource = string;

export interface LoadBundleOptions {
  /** `--manifests`: a folder or a `manifests.tar.gz`. */
  source?: BundleSource | undefined;
  /** The Flux version whose release bundle to download when no source is given. */
  version?: string | undefined;
  /**
   * false: ignore the bundle the package carries and download (or reuse the cache) even for the
   * core's own Flux version. Default true.
   */
  embedded?: boolean | undefined;
  /** Where downloads are cached; default `$XDG_CACHE_HOME/flux-azdo` or `~/.cache/flux-azdo`. */
  cacheDir?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Told when a downloaded bundle's version has no checksums to verify it against. */
  onLog?: ((event: LogEvent) => void) | undefined;
}

/** Flux's releases; `FLUX_AZDO_RELEASES_URL` points elsewhere (a mirror, or a test server). */
function releasesUrl(): string {
  return process.env.FLUX_AZDO_RELEASES_URL ?? 'https://github.com/fluxcd/flux2/releases';
}

export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'flux-azdo');
}

export async function loadBundle(opts: LoadBundleOptions = {}): Promise<BundleData> {
  const embedded = embeddedFor(opts);
  if (embedded) return embedded;
  const data = await fromSourceOrCache(opts);
  // The core refuses an incomplete bundle with INVALID_BUNDLE.
  readBundle(data);
  return data;
}

/**
 * The bundle as loadBundle finds it, not yet checked: for callers that hand it straight to a
 * core call, which checks it the same way (INVALID_BUNDLE) — one copy of the 9 files into the
 * core instead of three.
 */
export async function bundleData(opts: LoadBundleOptions = {}): Promise<BundleData> {
  return embeddedFor(opts) ?? (await fromSourceOrCache(opts));
}

/** The package's own bundle, when no source is given and it carries the version asked for. */
function embeddedFor(opts: LoadBundleOptions): BundleData | undefined {
  if (opts.source || opts.embedded === false) return undefined;
  // Checked when the package was built (complete, and Flux's release byte for byte).
  return embeddedBundle(opts.version && opts.version.length > 0 ? opts.version : fluxVersion());
}

function fromSourceOrCache(opts: LoadBundleOptions): Promise<BundleData> {
  return opts.source ? readBundleSource(opts.source) : cachedDownload(opts);
}

async function readBundleSource(source: string): Promise<BundleData> {
  let info;
  try {
    info = await stat(source);
  } catch {
    throw new FluxAzdoError(
      'MANIFESTS_NOT_FOUND',
      `--manifests ${source} does not exist; give a folder with Flux's 9 manifest files or a manifests.tar.gz`,
      { option: 'manifests' },
    );
  }
  if (info.isFile()) return new Uint8Array(await readFile(source));
  const files: Record<string, string> = {};
  for (const name of await readdir(source)) {
    if (name.endsWith('.yaml')) files[name] = await readFile(join(source, name), 'utf8');
  }
  return files;
}

async function cachedDownload(opts: LoadBundleOptions): Promise<BundleData> {
  const version = opts.version && opts.version.length > 0 ? opts.version : fluxVersion();
  if (!/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw new FluxAzdoError('INVALID_OPTION', `--version ${JSON.stringify(version)} is not a Flux release tag such as v2.9.4`, {
      option: 'version',
    });
  }
  const dir = join(opts.cacheDir ?? defaultCacheDir(), 'manifests', version);
  const file = join(dir, 'manifests.tar.gz');
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    // not cached yet
  }
  const url = `${releasesUrl()}/download/${version}/manifests.tar.gz`;
  let bytes: Uint8Array;
  try {
    const res = await fetch(url, { redirect: 'follow', signal: opts.signal ?? null });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new FluxAzdoError(
      'MANIFESTS_DOWNLOAD_FAILED',
      `could not download Flux ${version}'s manifests from ${url} (${reason}); ` +
        'on a machine without access, download manifests.tar.gz elsewhere and pass it with --manifests FILE.tar.gz (or a folder of its files)',
      { option: 'manifests', cause: err },
    );
  }
  // Validate before caching so a broken or tampered download is never reused.
  verifyRelease(version, `the manifests.tar.gz downloaded from ${url}`, readBundle(bytes), opts.onLog, 'nothing was cached');
  await mkdir(dir, { recursive: true });
  // A temp name per write, not per process: loads running at once in one process (two
  // bootstraps from one API caller or the VS Code extension host) must not rename each other's.
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    const reason = err instanceof Error ? err.message : String(err);
    throw new FluxAzdoError(
      'IO',
      `could not cache Flux ${version}'s manifests in ${dir} (${reason}); make the folder writable, set XDG_CACHE_HOME, or pass --manifests`,
      { cause: err },
    );
  }
  return bytes;
}

/**
 * A downloaded bundle is Flux's release: each file's sha256 is the one listed for its version
 * (INVALID_BUNDLE naming the first file that differs, is missing, or is not Flux's). A version
 * without a list is used as downloaded, and the caller is told it could not be verified.
 */
export function verifyRelease(
  version: string,
  origin: string,
  files: Record<string, string>,
  onLog: LoadBundleOptions['onLog'],
  consequence: string,
): void {
  const expected = BUNDLE_SHA256[version];
  if (!expected) {
    onLog?.({
      type: 'log',
      level: 'warn',
      message: `Flux ${version}'s manifests (${origin}) could not be verified: flux-azdo carries no checksums for ${version}`,
    });
    return;
  }
  const names = [...new Set([...Object.keys(expected), ...Object.keys(files)])].sort();
  for (const name of names) {
    const content = files[name];
    const actual = content === undefined ? undefined : createHash('sha256').update(content, 'utf8').digest('hex');
    if (actual !== expected[name]) {
      const why =
        content === undefined
          ? 'is missing'
          : expected[name] === undefined
            ? 'is not part of the release'
            : `has sha256 ${actual}, not ${expected[name]}`;
      throw new FluxAzdoError('INVALID_BUNDLE', `${origin} is not Flux ${version}'s release: ${name} ${why}; ${consequence}`, {
        option: 'manifests',
        file: name,
      });
    }
  }
}
