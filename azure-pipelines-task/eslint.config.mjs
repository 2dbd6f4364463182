import base from '../eslint.base.js';

export default [
  { ignores: ['dist/**', 'FluxBootstrap/**'] },
  ...base,
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // The package's and the core's results are typed at the source: nothing here casts them.
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }] },
  },
];
