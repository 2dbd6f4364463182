/**
 * V8 settings for a CLI process that does one job and exits; only the CLI sets them (the library
 * never changes the V8 flags of the process it runs in), before the work starts.
 *
 * WebAssembly: by default V8 (Node 20: V8 11.3) validates the whole 1 MB module at compile,
 * compiles each function with Liftoff on its first call and re-compiles hot ones with TurboFan on
 * background threads. A process that generates once never gets that TurboFan work back, and it
 * competes with the main thread for the cores. Liftoff only and lazy validation halve the compile
 * and the first generateInstall (README, Performance). They must be set before the first core
 * call compiles the module; flags set later do not change a compiled module.
 *
 * Memory: the young generation otherwise grows its semi-spaces while a bootstrap loads its modules
 * and parses manifests; held at their initial size, a whole bootstrap's peak RSS falls from ~137
 * to ~105 MiB for no measurable CPU (bench/bootstrap.mjs). This one takes effect at run time.
 */
import { setFlagsFromString } from 'node:v8';

export function tuneForOneShot(): void {
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--wasm-lazy-validation');
  setFlagsFromString('--semi-space-growth-factor=1');
}
