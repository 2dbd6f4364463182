import base from '../eslint.base.js';

export default [{ ignores: ['dist/**', 'wasm/**'] }, ...base];
