import base from '../eslint.base.js';

export default [
  { ignores: ['dist/**'] },
  ...base,
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', TextDecoder: 'readonly' } },
  },
  {
    // Core results are typed at the source (flux-azdo/core/web): nothing here casts them. The
    // service worker is left out: the DOM lib has no types for its global scope.
    files: ['src/**/*.ts'],
    ignores: ['src/sw.ts'],
    rules: { '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }] },
  },
];
