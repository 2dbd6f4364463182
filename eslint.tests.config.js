// Lints the test, bench and build scripts (plain ESM on Node) with the shared rules. Files that
// drive chromium also see the browser's globals: their page callbacks run in the page.
import globals from 'globals';
import base from './eslint.base.js';

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', 'npm/wasm/**', 'target/**', 'tests/out/**'] },
  ...base,
  { languageOptions: { globals: { ...globals.node } } },
  {
    files: ['bench/browser.mjs', 'tests/e2e/browser.test.mjs', 'tests/e2e/support/chromium.mjs', 'tests/vscode-real/**/*.mjs'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // A VS Code extension loaded by the extension host as CommonJS (the test sign-in provider).
    files: ['tests/vscode-real/entra-sign-in/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
