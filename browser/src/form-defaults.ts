/**
 * Flux's defaults in the form, from the core's `defaults()` at start-up: the component
 * checkboxes, the log levels, the placeholders of text fields, the switches, the key size. The
 * HTML spells none of them, so the form cannot drift from what the core applies.
 */
import type { Defaults } from 'flux-azdo/core/web';

import { byId } from './dom.js';
import { optionDefault } from './options.js';

/** Smaller RSA sizes Azure DevOps accepts, offered next to the default for quicker generation. */
const SMALLER_KEY_SIZES = [2048, 3072];

export function renderDefaults(form: HTMLFormElement, flux: Defaults): void {
  renderChecks(byId('components-checks'), 'components', flux.options.components ?? [], true);
  renderChecks(byId('componentsExtra-checks'), 'componentsExtra', flux.componentsExtra, false);
  const logLevel = byId('logLevel', HTMLSelectElement);
  logLevel.replaceChildren(...flux.logLevels.map((level) => new Option(level, level, false, level === flux.options.logLevel)));
  for (const el of form.querySelectorAll('input')) {
    const value = optionDefault(el.name);
    if (el.type === 'text' && typeof value === 'string' && value !== '') el.placeholder = value;
    if (el.type === 'checkbox' && typeof value === 'boolean') el.checked = value;
  }
  const sizes = [...new Set([...SMALLER_KEY_SIZES, flux.rsaBits])].sort((a, b) => a - b);
  byId('key-bits', HTMLSelectElement).replaceChildren(
    ...sizes.map((bits) => new Option(`${bits} bits`, String(bits), false, bits === flux.rsaBits)),
  );
}

/** One checkbox per item of a list option, all with the option's name. */
function renderChecks(group: HTMLElement, name: string, items: readonly string[], checked: boolean): void {
  group.replaceChildren(
    ...items.map((item) => {
      const label = document.createElement('label');
      label.className = 'inline';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = name;
      box.value = item;
      box.checked = checked;
      label.append(box, ` ${item}`);
      return label;
    }),
  );
}
