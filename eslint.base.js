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
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // The raw wasm module's errors are plain JS errors and its results unchecked: only the
      // typed core module (npm/src/core/) may touch it; everything else imports flux-azdo/core.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/wasm/flux_azdo_wasm*'],
              message: 'import the typed core (flux-azdo/core, flux-azdo/core/web, or npm/src/core/), not the raw wasm module',
            },
          ],
        },
      ],
    },
  },
  {
    // errors.ts takes only the generated ErrorCode type from it.
    files: ['src/core/**/*.ts', 'src/errors.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
];
