import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'wasm/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // The raw wasm module is untyped at heart and its errors are plain JS errors: only the
      // typed core module (src/core/) may touch it.
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/wasm/flux_azdo_wasm*'], message: 'import the typed core from src/core/node.js (or core/web.js), not the raw wasm module' }] },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/errors.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The core's results are typed at the source: nothing that handles them casts.
    files: ['src/core/**/*.ts', 'src/keys.ts', 'src/install.ts', 'src/manifests.ts', 'src/index.ts', 'src/bootstrap/*.ts'],
    rules: { '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }] },
  },
);
