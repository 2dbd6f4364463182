/**
 * The preview page: the options form drives the core's `planRepository` on every change, the
 * preview shows the files, the fragment keeps the options. State for tests and benchmarks is
 * published on <html>: `data-state` is `loading`, `pending`, `ready` or `error`.
 */
import {
  FluxAzdoError,
  defaults,
  fluxVersion,
  init,
  isFluxAzdoError,
  planFiles,
  planRepository,
  readBundle,
  type BundleFiles,
  type Plan,
} from 'flux-azdo/core/web';

import { byId } from './dom.js';
import { copyText, saveFile, zipFiles } from './files.js';
import { renderDefaults } from './form-defaults.js';
import { setupKeyGenerator } from './keygen.js';
import { EXAMPLE_URL, readForm, toFragment, fromFragment, toPlanOptions, writeForm, type FormState } from './options.js';
import { Preview } from './preview.js';

/** `manifests.json`, written by the build from a manifests folder or tarball. */
interface BuiltInBundle {
  version: string;
  files: BundleFiles;
}

function setState(state: 'loading' | 'pending' | 'ready' | 'error'): void {
  document.documentElement.dataset.state = state;
}

const form = byId('options', HTMLFormElement);
const preview = new Preview(document);
let bundle: BundleFiles | undefined;
let builtIn: BuiltInBundle | undefined;
let plan: Plan | undefined;
/** The form as Flux's defaults fill it: what the fragment leaves out. */
let initial: FormState = {};
let scheduled = false;

/** The error element next to the field a core error is about (`--ssh-hostkey-algos` → #sshHostkeyAlgos-error). */
function errorSlot(option: string | undefined): HTMLElement {
  const id = option === 'manifests' ? 'bundle' : (option ?? '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return (id && document.getElementById(`${id}-error`)) || byId('options-error');
}

function clearErrors(): void {
  for (const el of form.querySelectorAll<HTMLElement>('.error')) {
    if (el.id === 'bundle-error') continue;
    el.hidden = true;
    el.textContent = '';
    delete el.dataset.code;
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

function showError(err: FluxAzdoError): void {
  const slot = errorSlot(err.option);
  slot.textContent = err.message;
  slot.dataset.code = err.code;
  slot.hidden = false;
  // An error about a field under “More options” must not stay folded away.
  slot.closest('details')?.setAttribute('open', '');
  const field = slot.id.endsWith('-error') ? document.getElementById(slot.id.slice(0, -'-error'.length)) : null;
  field?.setAttribute('aria-invalid', 'true');
}

function describe(plan: Plan): string {
  const auth = {
    ssh: 'SSH',
    token: 'a token over HTTPS',
    bearer: 'a bearer token over HTTPS',
    workloadIdentity: 'Azure workload identity',
  }[plan.syncAuth];
  const parts = [`The cluster syncs from ${plan.syncUrl.url} with ${auth}.`];
  if (plan.workloadIdentity) {
    const wi = plan.workloadIdentity;
    parts.push(
      `No Secret: ${wi.controllers.join(', ')} run as managed identity ${wi.clientId}; create a federated credential for ${wi.subjects.join(', ')} with audience ${wi.audience}.`,
    );
  }
  if (plan.sshHostkeyAlgos.length > 0) {
    parts.push(`The controllers are patched to use host key algorithms ${plan.sshHostkeyAlgos.join(', ')}.`);
  }
  return parts.join(' ');
}

function update(): void {
  scheduled = false;
  const state = readForm(form);
  history.replaceState(null, '', `#${toFragment(state, initial)}`);
  document.body.classList.toggle('auth-ssh', state.auth === 'ssh');
  document.body.classList.toggle('auth-azure', state.auth === 'azure');
  clearErrors();
  const urlInfo = byId('url-info');
  urlInfo.textContent = '';
  const note = byId('preview-note');
  document.body.classList.toggle('no-bundle', !bundle);
  if (!bundle) {
    note.hidden = false;
    note.textContent = 'No Flux manifests yet: pick the manifests.tar.gz of a Flux release under “Flux manifests”.';
    setState('error');
    return;
  }
  try {
    plan = planRepository(toPlanOptions(state), bundle);
  } catch (err) {
    showError(isFluxAzdoError(err) ? err : new FluxAzdoError('INTERNAL', String(err)));
    byId('preview-summary').textContent = '';
    // The files shown are for the last valid options: dimmed, and not offered as a zip.
    document.body.classList.add('stale');
    byId('download-all', HTMLButtonElement).disabled = true;
    setState('error');
    return;
  }
  document.body.classList.remove('stale');
  const example = (state.url ?? '').trim() === '';
  note.hidden = !example;
  note.textContent = example ? `An example for ${EXAMPLE_URL}: enter your repository URL.` : '';
  if (!example) {
    const kind = { azureDevOpsServices: 'Azure DevOps Services', azureDevOpsServer: 'Azure DevOps Server', generic: 'a Git host' }[
      plan.repo.kind
    ];
    urlInfo.textContent =
      plan.repo.kind === 'generic'
        ? `${kind}: ${plan.repo.name}`
        : `${kind}: ${plan.repo.organization} / ${plan.repo.project} / ${plan.repo.name}`;
  }
  byId('preview-summary').textContent = describe(plan);
  preview.show(planFiles(plan));
  byId('download-all', HTMLButtonElement).disabled = false;
  setState('ready');
  if (!performance.getEntriesByName('preview-rendered').length) performance.mark('preview-rendered');
}

/** Coalesces bursts of input into one plan per frame. */
function schedule(): void {
  setState('pending');
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(update);
}

function useBundle(data: BundleFiles, label: string): void {
  bundle = data;
  byId('bundle-info').textContent = label;
}

function builtInLabel(b: BuiltInBundle): string {
  return `Built in: Flux ${b.version} (${Object.keys(b.files).length} files).`;
}

async function onBundleFile(input: HTMLInputElement): Promise<void> {
  const slot = byId('bundle-error');
  slot.hidden = true;
  const file = input.files?.[0];
  if (!file) return;
  let files: BundleFiles;
  try {
    // Unpacked once here, not on every plan.
    files = readBundle(new Uint8Array(await file.arrayBuffer()));
  } catch (err) {
    slot.textContent = err instanceof Error ? err.message : String(err);
    slot.dataset.code = isFluxAzdoError(err) ? err.code : 'INTERNAL';
    slot.hidden = false;
    return;
  }
  useBundle(files, `From your disk: ${file.name}. Set the Flux version under “More options” if it is not ${fluxVersion()}.`);
  byId('bundle-reset').hidden = !builtIn;
  schedule();
}

function wireButtons(): void {
  byId('download-all').addEventListener('click', () => {
    if (!plan) return;
    const name = `${plan.repo.name || 'flux'}-${plan.namespace}.zip`;
    saveFile(name, zipFiles([...preview.all]), 'application/zip');
  });
  byId('file-copy').addEventListener('click', () => {
    const file = preview.current;
    const status = byId('copy-status');
    if (!file) return;
    copyText(file.content).then(
      () => (status.textContent = 'Copied.'),
      (err: unknown) => (status.textContent = err instanceof Error ? err.message : String(err)),
    );
    setTimeout(() => (status.textContent = ''), 2500);
  });
  const bundleFile = byId('bundle-file', HTMLInputElement);
  bundleFile.addEventListener('change', () => void onBundleFile(bundleFile));
  byId('bundle-reset').addEventListener('click', () => {
    if (!builtIn) return;
    useBundle(builtIn.files, builtInLabel(builtIn));
    bundleFile.value = '';
    byId('bundle-reset').hidden = true;
    schedule();
  });
}

/** The build preloads manifests.json only when it embedded one. */
async function fetchBuiltIn(): Promise<unknown> {
  if (!document.querySelector('link[rel=preload][href="manifests.json"]')) return undefined;
  const res = await fetch(new URL('manifests.json', import.meta.url)).catch(() => undefined);
  return res?.ok ? res.json().catch(() => undefined) : undefined;
}

/** manifests.json's bundle, its files checked by the core (once the core is loaded). */
function builtInBundle(data: unknown): BuiltInBundle | undefined {
  if (typeof data !== 'object' || data === null || !('version' in data) || !('files' in data) || typeof data.version !== 'string')
    return undefined;
  const files = stringRecord(data.files);
  return files && { version: data.version, files: readBundle(files) };
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record: Record<string, string> = {};
  for (const [name, text] of Object.entries(value)) {
    if (typeof text !== 'string') return undefined;
    record[name] = text;
  }
  return record;
}

/** Lets the page open again offline; a page without it still works, so failures are ignored. */
function registerOfflineCache(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register(new URL('sw.js', import.meta.url)).catch(() => undefined);
}

async function start(): Promise<void> {
  setState('loading');
  // The core and the manifests download in parallel (the HTML preloads both).
  const [, manifests] = await Promise.all([init(new URL('flux_azdo_wasm_bg.wasm', import.meta.url)), fetchBuiltIn()]);
  performance.mark('core-loaded');
  builtIn = builtInBundle(manifests);
  byId('version', HTMLInputElement).value = builtIn?.version ?? fluxVersion();
  if (builtIn) {
    useBundle(builtIn.files, builtInLabel(builtIn));
  } else {
    byId('bundle-info').textContent = `No manifests are built into this page: pick Flux ${fluxVersion()}'s manifests.tar.gz.`;
  }
  renderDefaults(form, defaults());
  initial = readForm(form);
  writeForm(form, fromFragment(location.hash, initial));
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
  form.addEventListener('submit', (event) => event.preventDefault());
  window.addEventListener('hashchange', () => {
    writeForm(form, { ...initial, ...fromFragment(location.hash, initial) });
    schedule();
  });
  wireButtons();
  setupKeyGenerator();
  update();
  registerOfflineCache();
}

start().catch((err: unknown) => {
  setState('error');
  const slot = byId('options-error');
  slot.textContent = `The page could not start: ${err instanceof Error ? err.message : String(err)}`;
  slot.hidden = false;
});
