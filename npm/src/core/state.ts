/**
 * The one initialised wasm module behind the typed API. Each entry point (Node: from disk; web:
 * `init(url)`) registers how to get it; nothing outside `npm/src/core/` touches the raw module.
 */
import type * as Wasm from '../../wasm/flux_azdo_wasm.js';

import { FluxAzdoError } from '../errors.js';

export type WasmModule = typeof Wasm;

let loader: (() => WasmModule) | undefined;
let loaded: WasmModule | undefined;

/** Sets how to reach the initialised module (called by `node.ts` and `web.ts`). */
export function setLoader(load: () => WasmModule): void {
  loader = load;
  loaded = undefined;
}

export function wasmModule(): WasmModule {
  if (loaded) return loaded;
  if (!loader) {
    throw new FluxAzdoError(
      'INTERNAL',
      'the flux-azdo core is not initialised: import flux-azdo/core, or await init(url) from flux-azdo/core/web first',
    );
  }
  loaded = loader();
  return loaded;
}
