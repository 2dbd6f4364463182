/**
 * `flux-azdo/core` for Node: the typed core, with the `.wasm` read from disk on first use.
 */
import { existsSync, readFileSync } from 'node:fs';

import * as wasm from '../../wasm/flux_azdo_wasm.js';
import { setLoader } from './state.js';

/**
 * `dist/core/node.js` → `wasm/` in the package; one level less when a bundler (the VS Code
 * extension's esbuild) folds this file into `dist/js/<bundle>.js` and ships `dist/wasm/`.
 */
const packaged = new URL('../../wasm/flux_azdo_wasm_bg.wasm', import.meta.url);
const bundled = new URL('../wasm/flux_azdo_wasm_bg.wasm', import.meta.url);

setLoader(() => {
  wasm.initSync({ module: readFileSync(existsSync(packaged) ? packaged : bundled) });
  return wasm;
});

export * from './api.js';
