import base from '../eslint.base.js';

export default [
  { ignores: ['dist/**', 'wasm/**'] },
  ...base,
  {
    // The typed core module is the one place that touches the raw wasm module: its results are
    // typed by the Rust-generated declarations, so nothing there may cast them.
    files: ['src/core/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }] },
  },
];
