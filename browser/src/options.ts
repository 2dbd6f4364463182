/**
 * The options form as plain data: read from and written to the form, turned into the core's
 * `PlanOptions`, and kept in the URL fragment so a preview can be shared. Flux's defaults come
 * from the core's `defaults()` (rendered into the form at start-up); only fields that differ from
 * them go into the fragment.
 */
import { defaults, parseRepoUrl, type PlanOptions } from 'flux-azdo/core/web';

/** Every field of the options form as text: lists joined by commas, checkboxes `true`/`false`. */
export type FormState = Record<string, string>;

/** Shown (and planned) while the repository URL field is empty. */
export const EXAMPLE_URL = 'https://dev.azure.com/contoso/platform/_git/fleet-infra';

/** The options that take any value of type `V` (so a form field of that kind can set them). */
type OptionsTaking<V> = { [K in keyof PlanOptions]-?: V extends PlanOptions[K] ? K : never }[keyof PlanOptions];

const isText = (value: unknown): value is string => typeof value === 'string';
const isList = (value: unknown): value is string[] => Array.isArray(value);
const isBool = (value: unknown): value is boolean => typeof value === 'boolean';

let optionDefaults: Map<string, unknown> | undefined;

/** Flux's default for the option `name` (a form field's name), undefined for other names. */
export function optionDefault(name: string): unknown {
  // After the core is loaded: the first call comes from the page's start-up, not from import.
  optionDefaults ??= new Map(Object.entries(defaults().options));
  return optionDefaults.get(name);
}

/**
 * Whether the form field `name` sets an option of the kind `test` accepts: the kind is read off
 * the value type of the option's default, so the form needs no field lists of its own.
 */
function isOption<V>(name: string, test: (value: unknown) => value is V): name is OptionsTaking<V> {
  return test(optionDefault(name));
}

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
    // Several checkboxes for one list option (the components) make one list.
    if (el instanceof HTMLInputElement && el.type === 'checkbox' && isOption(el.name, isList)) {
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
    if (el instanceof HTMLInputElement && el.type === 'checkbox' && isOption(el.name, isList)) {
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
export function toPlanOptions(state: FormState): PlanOptions {
  const options: PlanOptions = { url: EXAMPLE_URL };
  for (const [name, value] of Object.entries(state)) {
    if (isOption(name, isText)) {
      const text = value.trim();
      if (text !== '') options[name] = text;
    } else if (isOption(name, isList)) {
      options[name] = splitList(value);
    } else if (isOption(name, isBool)) {
      options[name] = value === 'true';
    }
  }
  // Empty host key algorithms mean "the default for this host" (the core's choice).
  if (options.sshHostkeyAlgos?.length === 0) delete options.sshHostkeyAlgos;
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
  // The identity fields stay filled when the user switches away from workload identity; they
  // mean nothing then, and the core would refuse them without --provider=azure.
  if (state.auth !== 'azure') {
    delete options.workloadIdentityClientId;
    delete options.workloadIdentityTenantId;
  }
  return options;
}

/**
 * The repository URL as the fragment keeps it: the core's normal form, which never holds a
 * password. Text the core cannot parse (yet: the user is typing) is kept only without any `@`,
 * so user info that may hold a password never leaves the page.
 */
function shareableUrl(url: string): string | undefined {
  try {
    return parseRepoUrl(url.trim()).url;
  } catch {
    return url.includes('@') ? undefined : url;
  }
}

/** The fragment for `state`: the fields that differ from the form's `initial` state (Flux's defaults). */
export function toFragment(state: FormState, initial: FormState): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state)) {
    if (value === initial[name]) continue;
    const shared = name === 'url' ? shareableUrl(value) : value;
    if (shared !== undefined) params.set(name, shared);
  }
  return params.toString();
}

/** The fields a fragment sets, ignoring names the form does not have. */
export function fromFragment(fragment: string, initial: FormState): FormState {
  const state: FormState = {};
  for (const [name, value] of new URLSearchParams(fragment.replace(/^#/, ''))) {
    if (name in initial) state[name] = value;
  }
  return state;
}
