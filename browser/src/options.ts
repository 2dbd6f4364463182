/**
 * The options form as plain data: read from and written to the form, turned into the core's
 * `PlanOptions`, and kept in the URL fragment so a preview can be shared. The form's HTML holds
 * Flux's defaults; only fields that differ from them go into the fragment.
 */
import type { PlanOptions } from './core.js';

/** Every field of the options form as text: lists joined by commas, checkboxes `true`/`false`. */
export type FormState = Record<string, string>;

/** Shown (and planned) while the repository URL field is empty. */
export const EXAMPLE_URL = 'https://dev.azure.com/contoso/platform/_git/fleet-infra';

const TEXT_FIELDS = [
  'url',
  'branch',
  'path',
  'interval',
  'username',
  'sshHostname',
  'secretName',
  'namespace',
  'registry',
  'imagePullSecret',
  'logLevel',
  'clusterDomain',
  'version',
] as const;
const LIST_FIELDS = ['sshHostkeyAlgos', 'tolerationKeys', 'sparseCheckout', 'components', 'componentsExtra'] as const;
const BOOL_FIELDS = ['networkPolicy', 'watchAllNamespaces', 'recurseSubmodules', 'allowInsecureHttp'] as const;

/** Checkbox groups: several checkboxes with one name make one list. */
const GROUPS = new Set<string>(['components', 'componentsExtra']);

type Control = HTMLInputElement | HTMLSelectElement;

function controls(form: HTMLFormElement): Control[] {
  return [...form.elements].filter(
    (el): el is Control => (el instanceof HTMLInputElement && el.type !== 'file') || el instanceof HTMLSelectElement,
  );
}

export function readForm(form: HTMLFormElement): FormState {
  const state: FormState = {};
  const groups = new Map<string, string[]>();
  for (const el of controls(form)) {
    if (!el.name) continue;
    if (el instanceof HTMLInputElement && el.type === 'checkbox' && GROUPS.has(el.name)) {
      const list = groups.get(el.name) ?? [];
      if (el.checked) list.push(el.value);
      groups.set(el.name, list);
    } else if (el instanceof HTMLInputElement && el.type === 'checkbox') {
      state[el.name] = String(el.checked);
    } else if (el instanceof HTMLInputElement && el.type === 'radio') {
      if (el.checked) state[el.name] = el.value;
    } else {
      state[el.name] = el.value;
    }
  }
  for (const [name, list] of groups) state[name] = list.join(',');
  return state;
}

export function writeForm(form: HTMLFormElement, state: FormState): void {
  for (const el of controls(form)) {
    const value = state[el.name];
    if (value === undefined) continue;
    if (el instanceof HTMLInputElement && el.type === 'checkbox' && GROUPS.has(el.name)) {
      el.checked = splitList(value).includes(el.value);
    } else if (el instanceof HTMLInputElement && el.type === 'checkbox') {
      el.checked = value === 'true';
    } else if (el instanceof HTMLInputElement && el.type === 'radio') {
      el.checked = el.value === value;
    } else {
      el.value = value;
    }
  }
}

function splitList(value: string): string[] {
  return value.split(/[\s,]+/).filter((item) => item !== '');
}

/**
 * The core's options for a form state: empty text fields are left out so the core applies
 * Flux's default; lists and switches always say what the form shows.
 */
export function toPlanOptions(state: FormState): Partial<PlanOptions> {
  const options: Partial<PlanOptions> = {};
  const set = options as Record<string, unknown>;
  for (const name of TEXT_FIELDS) {
    const value = state[name]?.trim() ?? '';
    if (value !== '') set[name] = value;
  }
  for (const name of LIST_FIELDS) {
    if (state[name] !== undefined) set[name] = splitList(state[name]);
  }
  // Empty host key algorithms mean "the default for this host" (Azure DevOps: RSA SHA-2).
  if (options.sshHostkeyAlgos?.length === 0) delete options.sshHostkeyAlgos;
  for (const name of BOOL_FIELDS) {
    if (state[name] !== undefined) set[name] = state[name] === 'true';
  }
  switch (state.auth) {
    case 'token':
      options.tokenAuth = true;
      break;
    case 'azure':
      options.provider = 'azure';
      break;
    default:
      options.tokenAuth = false;
  }
  if (options.url === undefined) options.url = EXAMPLE_URL;
  return options;
}

/**
 * `user:password@` never leaves the page: the fragment keeps the user only. The user info ends
 * at the authority's last `@` (a password may hold `@`); scp-like `git@host:path` has none.
 */
export function withoutPassword(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
  const rest = url.slice(scheme.length);
  const end = rest.search(/[/?#]/);
  const at = (end < 0 ? rest : rest.slice(0, end)).lastIndexOf('@');
  const colon = rest.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return url;
  return scheme + rest.slice(0, colon) + rest.slice(at);
}

/** The fragment for `state`: the fields that differ from the form's defaults. */
export function toFragment(state: FormState, defaults: FormState): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state)) {
    if (value === defaults[name]) continue;
    params.set(name, name === 'url' ? withoutPassword(value) : value);
  }
  return params.toString();
}

/** The fields a fragment sets, ignoring names the form does not have. */
export function fromFragment(fragment: string, defaults: FormState): FormState {
  const state: FormState = {};
  for (const [name, value] of new URLSearchParams(fragment.replace(/^#/, ''))) {
    if (name in defaults) state[name] = value;
  }
  return state;
}
