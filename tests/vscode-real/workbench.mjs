// Drives a real VS Code workbench in headless Debian chromium (playwright-core): the command
// palette, input boxes and quick picks (with their title, step counter, validation message and
// back button), modal dialogs, notifications (with their buttons and progress) and editors.
// Every step is screenshotted under tests/out/vscode-real/<run>/; a modal dialog or an error
// notification the test did not ask for fails the step with the screenshot's path.
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';

import { launchChromium, root } from '../e2e/support/chromium.mjs';

export const OUT_DIR = join(root, 'tests', 'out', 'vscode-real');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class UnexpectedDialogError extends Error {}

export async function openWorkbench(server, { name, folder } = {}) {
  const browser = await launchChromium({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const wb = new Workbench(page, browser, join(OUT_DIR, name));
  // A loaded machine can take longer than playwright's default 30 s to load the workbench.
  await page.goto(server.folderUrl(folder), { timeout: 120_000 });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 90_000 });
  return wb;
}

export class Workbench {
  #shot = 0;
  /** Error notifications and dialogs a test has asked for (so they are not "unexpected"). */
  #expecting = 0;

  constructor(page, browser, outDir) {
    this.page = page;
    this.browser = browser;
    this.outDir = outDir;
    mkdirSync(outDir, { recursive: true });
    this.quickInput = page.locator('.quick-input-widget');
    this.input = page.locator('.quick-input-widget .quick-input-box input');
  }

  /** Saves `NN-<label>.png` and returns its path relative to the repository. */
  async screenshot(label) {
    this.#shot += 1;
    const file = join(this.outDir, `${String(this.#shot).padStart(2, '0')}-${label.replace(/[^a-z0-9-]+/gi, '-')}.png`);
    await this.page.screenshot({ path: file });
    return relative(root, file);
  }

  /** Saves just `locator`'s element as `docs-<label>.png` (for the extension's README). */
  async screenshotOf(locator, label) {
    const file = join(this.outDir, `docs-${label}.png`);
    await locator.first().screenshot({ path: file });
    return relative(root, file);
  }

  /** Fails with a screenshot when a modal dialog or an error toast is up and no test asked for it. */
  async guard(step) {
    if (this.#expecting > 0) return;
    const dialog = this.page.locator('.monaco-dialog-box');
    const error = this.page.locator('.notifications-toasts .notification-toast:has(.codicon-error)');
    for (const [what, loc] of [
      ['modal dialog', dialog],
      ['error notification', error],
    ]) {
      if (await loc.first().isVisible()) {
        const text = (await loc.first().innerText()).replace(/\s+/g, ' ').slice(0, 400);
        const shot = await this.screenshot(`unexpected-${what}`);
        throw new UnexpectedDialogError(`unexpected ${what} during "${step}": "${text}"; screenshot: ${shot}`);
      }
    }
  }

  /** Waits for `locator`, checking for unexpected dialogs meanwhile; screenshot path on timeout. */
  async waitVisible(locator, step, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await locator.first().isVisible()) return locator.first();
      await this.guard(step);
      if (Date.now() > deadline) {
        const shot = await this.screenshot(`timeout-${step}`);
        throw new Error(`"${step}" did not appear in ${timeoutMs} ms; screenshot: ${shot}`);
      }
      await sleep(150);
    }
  }

  /**
   * F1, the command's title, Enter. The palette can list a new extension's command only some
   * seconds after the workbench appears, so it is reopened until the command shows.
   */
  async runCommand(title, timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.guard(`command ${title}`);
      await this.page.keyboard.press('F1');
      await this.input.waitFor({ state: 'visible' });
      await this.input.fill(`>${title}`);
      const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title });
      if (
        await row
          .first()
          .waitFor({ state: 'visible', timeout: 5000 })
          .then(
            () => true,
            () => false,
          )
      ) {
        await this.page.keyboard.press('Enter');
        return;
      }
      await this.page.keyboard.press('Escape');
      if (Date.now() > deadline) {
        const shot = await this.screenshot(`no-command`);
        throw new Error(`command "${title}" never showed in the palette; screenshot: ${shot}`);
      }
      await sleep(2000);
    }
  }

  /** The quick input showing `promptPattern` (its prompt, placeholder or title); its state. */
  async quickInputFor(promptPattern, step = String(promptPattern)) {
    const widget = this.page.locator('.quick-input-widget:visible');
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (await widget.isVisible()) {
        const text = await widget.innerText();
        const placeholder = (await this.input.getAttribute('placeholder')) ?? '';
        const aria = (await this.input.getAttribute('aria-label')) ?? '';
        if (promptPattern.test(`${text}\n${placeholder}\n${aria}`)) break;
      }
      await this.guard(step);
      if (Date.now() > deadline) {
        const shot = await this.screenshot(`timeout-${step}`);
        throw new Error(`no input box for ${promptPattern} in 60 s; screenshot: ${shot}`);
      }
      await sleep(150);
    }
    return this.quickInputState();
  }

  async quickInputState() {
    const title = (
      await this.page
        .locator('.quick-input-widget .quick-input-title')
        .innerText()
        .catch(() => '')
    ).trim();
    return {
      title,
      value: await this.input.inputValue(),
      placeholder: (await this.input.getAttribute('placeholder')) ?? '',
      message: (
        await this.page
          .locator('.quick-input-widget .quick-input-message')
          .innerText()
          .catch(() => '')
      ).trim(),
      back: await this.page.locator('.quick-input-widget .quick-input-titlebar .codicon-quick-input-back').isVisible(),
      password: (await this.input.getAttribute('type')) === 'password',
    };
  }

  /** Answers the input box showing `promptPattern` with `text` (replacing its value), Enter. */
  async answer(promptPattern, text, label) {
    const state = await this.quickInputFor(promptPattern);
    await this.input.fill(text);
    await sleep(150);
    if (label) state.screenshot = await this.screenshot(label);
    await this.page.keyboard.press('Enter');
    await this.waitInputGone(state);
    return state;
  }

  /** Replaces the current box's value with `text` and presses Enter (after validationFor). */
  async submit(text) {
    const state = await this.quickInputState();
    await this.input.fill(text);
    await sleep(150);
    await this.page.keyboard.press('Enter');
    await this.waitInputGone(state);
  }

  /** Types `text` and returns the validation message the extension shows for it (no Enter). */
  async validationFor(promptPattern, text) {
    const before = await this.quickInputFor(promptPattern);
    await this.input.fill(text);
    // The message line shows the prompt until validation replaces it.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const now = (await this.quickInputState()).message;
      if (now && now !== before.message) return now;
      await sleep(100);
    }
    return '';
  }

  /** Picks the row labelled `label` in the quick pick showing `promptPattern`. */
  async pick(promptPattern, label, shotLabel) {
    const state = await this.quickInputFor(promptPattern);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: label });
    await this.waitVisible(row, `pick ${label}`);
    if (shotLabel) state.screenshot = await this.screenshot(shotLabel);
    await row.first().click();
    await this.waitInputGone(state);
    return state;
  }

  /** The back button of a multi-step input. */
  async back() {
    await this.page.locator('.quick-input-widget .quick-input-titlebar .codicon-quick-input-back').click();
  }

  /** The next input has replaced this one (or the widget closed). */
  async waitInputGone(state) {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (!(await this.quickInput.isVisible())) return;
      const now = await this.quickInputState();
      if (now.title !== state.title || now.placeholder !== state.placeholder) return;
      await sleep(100);
    }
  }

  /** A toast whose text matches; `expectError` lets an error toast be awaited without guard(). */
  async notification(pattern, { timeoutMs = 60_000, expectError = false } = {}) {
    const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: pattern });
    if (expectError) this.#expecting += 1;
    try {
      const shown = await this.waitVisible(toast, `notification ${pattern}`, timeoutMs);
      return { locator: shown, text: (await shown.innerText()).replace(/\s+/g, ' ').trim() };
    } finally {
      if (expectError) this.#expecting -= 1;
    }
  }

  /** Every toast's text (for the progress notification's steps). */
  async toastTexts() {
    return (await this.page.locator('.notifications-toasts .notification-toast').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** Clicks the button labelled `label` on a toast. */
  async clickToastButton(toast, label) {
    const button = toast.locator('.monaco-button', { hasText: label }).first();
    // A progress notification updating beside it re-renders the toasts, so the button may never
    // hold still for playwright's stability check: then the click event goes to it directly.
    await button.click({ timeout: 5000 }).catch(() => button.dispatchEvent('click'));
  }

  /** The modal dialog (expected): its message, detail and buttons; `click(label)` answers it. */
  async dialog(pattern, timeoutMs = 60_000) {
    this.#expecting += 1;
    try {
      const box = await this.waitVisible(this.page.locator('.monaco-dialog-box', { hasText: pattern }), `dialog ${pattern}`, timeoutMs);
      // A dialog without a detail has no message-text row: its text is the box's own.
      const textOf = async (selector, fallback) => {
        const loc = box.locator(selector);
        return ((await loc.count()) > 0 ? await loc.first().innerText() : fallback).trim();
      };
      return {
        message: await textOf('.dialog-message-text', await box.innerText()),
        detail: await textOf('.dialog-message-detail', ''),
        buttons: (await box.locator('.monaco-button').allInnerTexts()).map((t) => t.trim()),
        click: (label) => box.locator('.monaco-button', { hasText: label }).first().click(),
      };
    } finally {
      this.#expecting -= 1;
    }
  }

  /** The open editor tabs' labels. */
  async tabs() {
    return (await this.page.locator('.tabs-container .tab .label-name').allInnerTexts()).map((t) => t.trim());
  }

  /**
   * The text of the editor in tab `label`, byte for byte: Select All + Copy in the real editor,
   * read back from the clipboard (the model's text with its own line endings).
   */
  async editorText(label) {
    await this.page.locator('.tabs-container .tab', { hasText: label }).first().click();
    // A click in the text focuses the editor whether it takes input through a textarea (1.100) or
    // an EditContext element (later releases).
    await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.press('Control+C');
    await sleep(300);
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  async close() {
    await this.browser.close();
  }
}
