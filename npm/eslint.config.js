import base from '../eslint.base.js';

export default [
  { ignores: ['dist/**', 'wasm/**'] },
  ...base,
  {
    // The core's results are typed at the source (the Rust-generated declarations): neither the
    // typed core module nor the code that handles its results casts them.
    files: ['src/core/**/*.ts', 'src/keys.ts', 'src/install.ts', 'src/manifests.ts', 'src/index.ts', 'src/bootstrap/*.ts'],
    rules: { '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }] },
  },
];
