/**
 * V8's WebAssembly tiers, set for a CLI process that calls the core a handful of times and exits.
 * By default V8 (Node 20: V8 11.3) validates the whole 1 MB module at compile, compiles each
 * function with Liftoff on its first call and re-compiles hot ones with TurboFan on background
 * threads; in a process that lives for one generation that TurboFan work is never paid back and
 * competes with the main thread for the cores. Measured (bench/commands.mjs, README Performance):
 * Liftoff only and lazy validation halve the first generateInstall and the compile.
 *
 * Only the CLI does this, before its first core call compiles the module (flags set later do not
 * change a compiled module): the library never changes the V8 flags of the process it runs in.
 */
import { setFlagsFromString } from 'node:v8';

export function tuneWasmForOneShot(): void {
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--wasm-lazy-validation');
}
