// The lint rules the three workspaces share (npm/, browser/, vscode-extension/). Each
// workspace's eslint config spreads this and adds only its own ignores and globals, so a rule
// added here holds everywhere.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default [
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
