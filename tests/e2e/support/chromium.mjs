// Headless Debian chromium driven by playwright-core (no browser download), and the built
// preview page (built here when browser/dist is missing).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

import { manifestsDir, repoRoot as root } from '../../support/flux-reference.mjs';

export const distDir = join(root, 'browser', 'dist');
export { manifestsDir, root };
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Whether browser/dist is missing, older than its sources or the core, or has other manifests. */
function pageOutdated() {
  const built = join(distDir, 'index.html');
  if (!existsSync(built) || !existsSync(join(distDir, 'manifests.json'))) return true;
  const sources = [join(root, 'npm', 'wasm', 'flux_azdo_wasm_bg.wasm'), join(root, 'browser', 'scripts', 'build.mjs')];
  const srcDir = join(root, 'browser', 'src');
  for (const name of readdirSync(srcDir)) sources.push(join(srcDir, name));
  const builtAt = statSync(built).mtimeMs;
  if (sources.some((file) => statSync(file).mtimeMs > builtAt)) return true;
  // A page built with other manifests (e.g. the download cache) is rebuilt with the test's.
  const { files } = JSON.parse(readFileSync(join(distDir, 'manifests.json'), 'utf8'));
  const names = readdirSync(manifestsDir).filter((name) => name.endsWith('.yaml'));
  return Object.keys(files).length !== names.length || names.some((name) => files[name] !== readFileSync(join(manifestsDir, name), 'utf8'));
}

/** Builds the page with the test bundle when browser/dist is missing or out of date. */
export function ensurePageBuilt() {
  if (!pageOutdated()) return;
  execFileSync(process.execPath, [join(root, 'browser', 'scripts', 'build.mjs'), '--manifests', manifestsDir], {
    cwd: root,
    stdio: 'inherit',
  });
}

/** A fresh profile each time; resolves to { context, close() }. */
export async function launchChromium(options = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'flux-azdo-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ...options,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
