import base from '../eslint.base.js';

export default [
  { ignores: ['dist/**', 'wasm/**'] },
  ...base,
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
];
