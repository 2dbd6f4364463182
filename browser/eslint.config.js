import base from '../eslint.base.js';

export default [
  { ignores: ['dist/**'] },
  ...base,
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', TextDecoder: 'readonly' } },
  },
];
