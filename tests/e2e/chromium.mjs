// Headless Debian chromium driven by playwright-core (no browser download), and the built
// preview page (built here when browser/dist is missing).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const distDir = join(root, 'browser', 'dist');
export const manifestsDir = resolve(root, '..', 'shared', 'flux', 'v2.9.4', 'manifests');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Builds the page with the test bundle unless a build with a bundle is already there. */
export function ensurePageBuilt() {
  if (existsSync(join(distDir, 'index.html')) && existsSync(join(distDir, 'manifests.json'))) return;
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
