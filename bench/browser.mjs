#!/usr/bin/env node
// The browser preview page: its transfer size (gzip -9 of every file in browser/dist) and the
// time from navigation to the first rendered preview in headless chromium, median of RUNS cold
// loads (a fresh profile each), against a baseline measured in the same script: the same
// server's time to the load event of an empty page. Target: first preview under 300 ms on a quiet machine (issue #11).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { distDir, ensurePageBuilt, launchChromium } from '../tests/e2e/support/chromium.mjs';
import { serveStatic } from '../tests/servers/static.mjs';
import { median } from './stats.mjs';

const RUNS = Number(process.env.RUNS ?? 7);
const TARGET_MS = 300;
const FRAGMENT = '#url=https%3A%2F%2Fdev.azure.com%2Facme%2FInfra%2F_git%2Ffleet&path=clusters%2Fprod';

ensurePageBuilt();

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

console.log('transfer size (gzip -9):');
let raw = 0;
let gz = 0;
for (const name of readdirSync(distDir).sort()) {
  const bytes = readFileSync(join(distDir, name));
  const z = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gz += z;
  console.log(`  ${name.padEnd(26)} ${kb(bytes.length).padStart(10)} raw ${kb(z).padStart(10)} gzip`);
}
console.log(`  ${'total'.padEnd(26)} ${kb(raw).padStart(10)} raw ${kb(gz).padStart(10)} gzip`);

// The baseline: an empty page from the same kind of server, in the same kind of fresh browser.
const emptyDir = mkdtempSync(join(tmpdir(), 'flux-azdo-bench-empty-'));
writeFileSync(join(emptyDir, 'index.html'), '<!doctype html><title>empty</title><p>empty</p>');

const page = await serveStatic(distDir);
const empty = await serveStatic(emptyDir);

/** One cold load of `url` in a fresh profile; returns what `measure` returns in the page. */
async function coldLoad(url, measure) {
  const browser = await launchChromium();
  try {
    const tab = await browser.context.newPage();
    await tab.goto(url);
    return await tab.evaluate(measure);
  } finally {
    await browser.close();
  }
}

const previewTimes = [];
const paintTimes = [];
const coreTimes = [];
const baselineTimes = [];
for (let i = 0; i < RUNS; i++) {
  const [core, preview, paint] = await coldLoad(`${page.url}${FRAGMENT}`, async () => {
    while (!performance.getEntriesByName('preview-rendered').length) {
      if (document.documentElement.dataset.state === 'error') throw new Error('the page showed an error');
      await new Promise((r) => setTimeout(r, 5));
    }
    // Two frames later the preview has been painted.
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const mark = (name) => performance.getEntriesByName(name)[0].startTime;
    return [mark('core-loaded'), mark('preview-rendered'), performance.now()];
  });
  coreTimes.push(core);
  previewTimes.push(preview);
  paintTimes.push(paint);
  const [loaded] = await coldLoad(empty.url, async () => {
    if (document.readyState !== 'complete') await new Promise((r) => addEventListener('load', r));
    await new Promise((r) => setTimeout(r, 0));
    return [performance.getEntriesByType('navigation')[0].loadEventEnd];
  });
  baselineTimes.push(loaded);
}

// Typing: from an input event to the preview updated, with the small gotk-sync.yaml shown
// (the common case) and with gotk-components.yaml shown and changed (the worst case).
async function editTimes(tab, selector, values, file) {
  await tab.click(`[role=tab][data-file="${file}"]`);
  const times = [];
  for (const value of values) {
    times.push(
      await tab.evaluate(
        async ([sel, v]) => {
          const el = document.querySelector(sel);
          const t0 = performance.now();
          if (el.type === 'checkbox') el.checked = v === 'true';
          else el.value = v;
          el.dispatchEvent(new Event('input', { bubbles: true }));
          while (document.documentElement.dataset.state !== 'ready') await new Promise((r) => requestAnimationFrame(r));
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
          return performance.now() - t0;
        },
        [selector, value],
      ),
    );
  }
  return times.slice(1); // the first edit warms up
}
const warm = await launchChromium();
const tab = await warm.context.newPage();
await tab.goto(`${page.url}${FRAGMENT}`);
await tab.waitForFunction(() => document.documentElement.dataset.state === 'ready');
const branchEdits = await editTimes(
  tab,
  '#branch',
  Array.from({ length: RUNS * 2 + 1 }, (_, i) => `release-${i}`),
  'gotk-sync.yaml',
);
const extraEdits = await editTimes(
  tab,
  'input[name=componentsExtra][value=source-watcher]',
  Array.from({ length: RUNS * 2 + 1 }, (_, i) => String(i % 2 === 0)),
  'gotk-components.yaml',
);
await warm.close();

await page.close();
await empty.close();
rmSync(emptyDir, { recursive: true, force: true });

const ms = (n) => `${n.toFixed(0)} ms`;
const base = median(baselineTimes);
const preview = median(previewTimes);
console.log(`\ncold loads in headless chromium, fresh profile each: ${RUNS} runs`);
console.log(`baseline (empty page, navigation → load event): median ${ms(base)}`);
console.log(`navigation → core and manifests loaded:         median ${ms(median(coreTimes))}`);
console.log(`navigation → first preview in the DOM:          median ${ms(preview)}  ratio ${(preview / base).toFixed(1)}x baseline`);
console.log(`navigation → first preview painted:             median ${ms(median(paintTimes))}`);
console.log(`edit → preview updated, gotk-sync.yaml shown:   median ${ms(median(branchEdits))}`);
console.log(`edit → preview updated, gotk-components shown:  median ${ms(median(extraEdits))}`);
console.log(`target: first preview under ${TARGET_MS} ms: ratio ${(preview / TARGET_MS).toFixed(2)} of target`);
