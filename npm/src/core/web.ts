/**
 * `flux-azdo/core/web` for browsers and bundlers: the typed core, after `await init(url)` with
 * the URL the `.wasm` is served from (`flux-azdo/wasm/flux_azdo_wasm_bg.wasm` in the package).
 */
import initWasm, * as wasm from '../../wasm/flux_azdo_wasm.js';
import { setLoader } from './state.js';

/** Fetches and instantiates the core; await it once before any other call. */
export async function init(wasmUrl: URL | string): Promise<void> {
  await initWasm({ module_or_path: wasmUrl });
  setLoader(() => wasm);
}

export * from './api.js';
