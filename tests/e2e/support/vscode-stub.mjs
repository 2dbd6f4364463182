// TEST ONLY: the `vscode` module for the extension's tests, which cannot launch VS Code here.
// It records every call the extension makes (`calls`), answers input boxes and quick picks from
// a script, runs `validateInput` the way VS Code does (an invalid answer keeps the box open), and
// serves documents from registered content providers. Everything else is real: the extension's
// bundle, the flux-azdo package, its WebAssembly core, the file system and the network.
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export class Uri {
  constructor(scheme, authority, path, query, fragment) {
    this.scheme = scheme;
    this.authority = authority;
    this.path = path;
    this.query = query;
    this.fragment = fragment;
  }
  static from({ scheme, authority = '', path = '', query = '', fragment = '' }) {
    return new Uri(scheme, authority, path, query, fragment);
  }
  static file(path) {
    return new Uri('file', '', path, '', '');
  }
  static parse(text) {
    const u = new URL(text);
    return new Uri(u.protocol.slice(0, -1), u.host, decodeURIComponent(u.pathname), u.search.slice(1), u.hash.slice(1));
  }
  get fsPath() {
    return this.path;
  }
  toString() {
    if (this.scheme === 'file') return pathToFileURL(this.path).href;
    return `${this.scheme}://${this.authority}${this.path}${this.query ? `?${this.query}` : ''}${this.fragment ? `#${this.fragment}` : ''}`;
  }
}

class Disposable {
  constructor(fn = () => {}) {
    this.dispose = fn;
  }
}

class EventEmitter {
  #listeners = new Set();
  event = (listener) => {
    this.#listeners.add(listener);
    return new Disposable(() => this.#listeners.delete(listener));
  };
  fire(value) {
    for (const l of this.#listeners) l(value);
  }
  dispose() {
    this.#listeners.clear();
  }
}

/** An answer that presses the multi-step input's Back button. */
export const BACK = Symbol('back');

const QuickInputButtons = { Back: { iconPath: { id: 'arrow-left' }, tooltip: 'Back' } };

/** What createInputBox and createQuickPick share: title, step, buttons and their events. */
function quickInput() {
  const accepted = new EventEmitter();
  const changed = new EventEmitter();
  const hidden = new EventEmitter();
  const triggered = new EventEmitter();
  let visible = true;
  return {
    title: undefined,
    step: undefined,
    totalSteps: undefined,
    buttons: [],
    ignoreFocusOut: false,
    accepted,
    changed,
    onDidAccept: accepted.event,
    onDidChangeValue: changed.event,
    onDidHide: hidden.event,
    onDidTriggerButton: triggered.event,
    trigger: (button) => triggered.fire(button),
    hide() {
      if (!visible) return;
      visible = false;
      hidden.fire();
    },
    dispose() {
      visible = false;
    },
  };
}

/** A Memento (workspaceState, globalState) in memory, seeded from `initial`. */
function memento(initial = {}) {
  const values = new Map(Object.entries(initial));
  return {
    keys: () => [...values.keys()],
    get: (key, fallback) => (values.has(key) ? values.get(key) : fallback),
    update: async (key, value) => {
      if (value === undefined) values.delete(key);
      else values.set(key, value);
    },
    setKeysForSync() {},
    values,
  };
}

/**
 * A script of answers: each is `[expected, answer]`, where `expected` is a substring of the
 * prompt or placeholder the extension shows (an answer for the wrong question fails the test)
 * and `answer` is the typed text, the picked item's label, or undefined for Escape. Messages
 * with buttons are answered by `onMessage(kind, message, options, buttons)`; progress reports
 * are passed to `onProgress(value, cancel)` too (`cancel()` is the notification's Cancel button); `secrets` seeds SecretStorage.
 * `getSession(providerId, scopes, options)` answers `authentication.getSession` (VS Code's
 * sign-in); without it no provider signs anyone in.
 */
export function createVscodeStub({
  answers = [],
  settings = {},
  onMessage = () => undefined,
  onProgress = () => {},
  secrets: storedSecrets = {},
  workspaceFolders = [],
  workspaceState = {},
  globalState = {},
  getSession = async () => undefined,
} = {}) {
  const calls = [];
  const record = (fn, ...args) => calls.push({ fn, args });
  const script = [...answers];
  const commands = new Map();
  const providers = new Map();
  const channels = [];
  const secretsStore = new Map(Object.entries(storedSecrets));
  const unanswered = [];

  const next = (question) => {
    const entry = script.shift();
    if (!entry) {
      unanswered.push(question);
      return undefined;
    }
    const [expected, answer] = entry;
    if (!question.includes(expected)) throw new Error(`the script answers "${expected}" but the extension asked "${question}"`);
    return answer;
  };

  const message =
    (kind) =>
    async (text, ...rest) => {
      record(kind, text, ...rest);
      const options = rest[0] && typeof rest[0] === 'object' && !Array.isArray(rest[0]) ? rest.shift() : {};
      return onMessage(kind, text, options, rest);
    };

  const window = {
    createOutputChannel(name) {
      record('createOutputChannel', name);
      const channel = {
        name,
        text: '',
        append(value) {
          this.text += value;
        },
        appendLine(value) {
          this.text += `${value}\n`;
        },
        clear() {
          this.text = '';
        },
        show(...args) {
          record('outputChannel.show', ...args);
        },
        hide() {},
        replace(value) {
          this.text = value;
        },
        dispose() {},
      };
      channels.push(channel);
      return channel;
    },
    async showInputBox(options = {}) {
      record('showInputBox', options);
      const question = `${options.title ?? ''} | ${options.prompt ?? ''} | ${options.placeHolder ?? ''}`;
      for (;;) {
        const answer = next(question);
        if (answer === undefined) return undefined;
        const invalid = options.validateInput ? await options.validateInput(answer) : undefined;
        const text = typeof invalid === 'object' && invalid !== null ? invalid.message : invalid;
        record('inputBox.validation', { prompt: options.prompt, password: options.password === true, message: text ?? null });
        if (!text) return answer;
      }
    },
    async showQuickPick(items, options = {}) {
      const list = await items;
      record(
        'showQuickPick',
        list.map((i) => (typeof i === 'string' ? i : i.label)),
        options,
      );
      const answer = next(`${options.title ?? ''} | ${options.placeHolder ?? ''}`);
      if (answer === undefined) return undefined;
      const picked = list.find((i) => (typeof i === 'string' ? i : i.label) === answer);
      if (!picked) throw new Error(`no quick pick item "${answer}" among ${JSON.stringify(list.map((i) => i.label ?? i))}`);
      return picked;
    },
    // The multi-step input (createInputBox/createQuickPick) is answered from the same script and
    // recorded as showInputBox/showQuickPick with the same options, so a test reads either alike.
    createInputBox() {
      const box = quickInput();
      Object.assign(box, { value: '', prompt: undefined, placeholder: undefined, password: false, validationMessage: undefined });
      box.show = () =>
        queueMicrotask(() => {
          const options = {
            title: box.title,
            prompt: box.prompt,
            placeHolder: box.placeholder,
            password: box.password,
            value: box.value,
            step: box.step,
            totalSteps: box.totalSteps,
            buttons: box.buttons.length,
          };
          record('showInputBox', options);
          const question = `${options.title ?? ''} | ${options.prompt ?? ''} | ${options.placeHolder ?? ''}`;
          for (;;) {
            const answer = next(question);
            if (answer === undefined || answer === BACK) return answer === BACK ? box.trigger(QuickInputButtons.Back) : box.hide();
            box.value = answer;
            box.changed.fire(answer);
            const text = box.validationMessage;
            record('inputBox.validation', { prompt: options.prompt, password: options.password === true, message: text ?? null });
            if (!text) return box.accepted.fire();
          }
        });
      return box;
    },
    createQuickPick() {
      const pick = quickInput();
      Object.assign(pick, { items: [], activeItems: [], selectedItems: [], placeholder: undefined });
      pick.show = () =>
        queueMicrotask(() => {
          const options = {
            title: pick.title,
            placeHolder: pick.placeholder,
            step: pick.step,
            totalSteps: pick.totalSteps,
            buttons: pick.buttons.length,
            active: pick.activeItems.map((i) => i.label),
          };
          record(
            'showQuickPick',
            pick.items.map((i) => i.label),
            options,
          );
          const answer = next(`${options.title ?? ''} | ${options.placeHolder ?? ''}`);
          if (answer === undefined || answer === BACK) return answer === BACK ? pick.trigger(QuickInputButtons.Back) : pick.hide();
          const picked = pick.items.find((i) => i.label === answer);
          if (!picked) throw new Error(`no quick pick item "${answer}" among ${JSON.stringify(pick.items.map((i) => i.label))}`);
          pick.selectedItems = [picked];
          pick.accepted.fire();
        });
      return pick;
    },
    showInformationMessage: message('showInformationMessage'),
    showWarningMessage: message('showWarningMessage'),
    showErrorMessage: message('showErrorMessage'),
    async showTextDocument(document, options) {
      record('showTextDocument', document.uri.toString(), options);
      return { document };
    },
    async withProgress(options, task) {
      record('withProgress', options);
      const cancelled = new EventEmitter();
      const token = { isCancellationRequested: false, onCancellationRequested: cancelled.event };
      const cancel = () => {
        record('progress.cancel');
        token.isCancellationRequested = true;
        cancelled.fire();
      };
      const progress = {
        report: (value) => {
          record('progress.report', value);
          onProgress(value, cancel);
        },
      };
      return task(progress, token);
    },
  };

  const workspace = {
    workspaceFolders: workspaceFolders.map((path, index) => ({ uri: Uri.file(path), name: path, index })),
    getConfiguration(section) {
      record('getConfiguration', section);
      return {
        get: (key, fallback) => settings[`${section}.${key}`] ?? fallback,
        has: (key) => `${section}.${key}` in settings,
        update: (...args) => {
          record('configuration.update', ...args);
          return Promise.resolve();
        },
      };
    },
    registerTextDocumentContentProvider(scheme, provider) {
      record('registerTextDocumentContentProvider', scheme);
      providers.set(scheme, provider);
      return new Disposable(() => providers.delete(scheme));
    },
    async openTextDocument(uri) {
      record('openTextDocument', uri.toString());
      const provider = providers.get(uri.scheme);
      const text = provider
        ? await provider.provideTextDocumentContent(uri, { isCancellationRequested: false })
        : readFileSync(uri.fsPath, 'utf8');
      const languageId = uri.path.endsWith('.yaml') ? 'yaml' : uri.path.endsWith('.diff') ? 'diff' : 'plaintext';
      // A document from a content provider is read-only in VS Code; the `file` scheme is not.
      return { uri, languageId, isUntitled: false, readOnly: Boolean(provider), getText: () => text };
    },
  };

  const secrets = {
    async get(key) {
      record('secrets.get', key);
      return secretsStore.get(key);
    },
    async store(key, value) {
      record('secrets.store', key);
      secretsStore.set(key, value);
    },
    async delete(key) {
      record('secrets.delete', key);
      secretsStore.delete(key);
    },
    onDidChange: new EventEmitter().event,
  };

  const vscode = {
    Uri,
    Disposable,
    EventEmitter,
    // Literal types for tests/e2e/support/vscode-stub-types.ts, which checks them against VS Code's.
    ViewColumn: /** @type {const} */ ({ Active: -1, Beside: -2, One: 1, Two: 2, Three: 3 }),
    ProgressLocation: /** @type {const} */ ({ SourceControl: 1, Window: 10, Notification: 15 }),
    QuickInputButtons,
    window,
    workspace,
    commands: {
      registerCommand(id, fn) {
        record('registerCommand', id);
        commands.set(id, fn);
        return new Disposable(() => commands.delete(id));
      },
      async executeCommand(id, ...args) {
        const fn = commands.get(id);
        if (!fn) throw new Error(`command ${id} is not registered`);
        return fn(...args);
      },
    },
    authentication: {
      // Recorded without the session: its access token must appear in no recorded call either.
      async getSession(providerId, scopes, options = {}) {
        record('authentication.getSession', providerId, scopes, options);
        return getSession(providerId, scopes, options);
      },
    },
    env: {
      clipboard: {
        async writeText(text) {
          record('clipboard.writeText', text);
        },
      },
      async openExternal(uri) {
        record('openExternal', uri.toString());
        return true;
      },
    },
  };

  const context = {
    subscriptions: [],
    secrets,
    workspaceState: memento(workspaceState),
    globalState: memento(globalState),
    extensionUri: Uri.file('/extension'),
    extensionPath: '/extension',
  };

  return { vscode, context, calls, commands, channels, secretsStore, unanswered, remaining: script };
}

/**
 * Loads the extension's CommonJS bundle with `require('vscode')` answered by the stub. The
 * bundle is loaded fresh each time (its module state, like the output channel, is per test).
 */
export function loadExtension(bundlePath, stub) {
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === 'vscode') return stub.vscode;
    return load.call(this, request, parent, isMain);
  };
  try {
    const require = Module.createRequire(import.meta.url);
    const resolved = require.resolve(bundlePath);
    delete require.cache[resolved];
    return require(resolved);
  } finally {
    Module._load = load;
  }
}

/** The extension's bundle, as `npm run build -w vscode-extension` makes it. */
export const bundlePath = fileURLToPath(new URL('../../../vscode-extension/dist/js/extension.js', import.meta.url));

/** Activates the bundle against a fresh stub and runs one command to its end. */
export async function runCommand(command, stubOptions, bundle = bundlePath) {
  const stub = createVscodeStub(stubOptions);
  const extension = loadExtension(bundle, stub);
  extension.activate(stub.context);
  await stub.vscode.commands.executeCommand(command);
  return stub;
}

export const callsOf = (stub, fn) => stub.calls.filter((c) => c.fn === fn);
export const outputText = (stub) => stub.channels.map((c) => c.text).join('');
