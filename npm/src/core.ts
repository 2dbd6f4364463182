/**
 * Loads the WebAssembly core once and wraps its functions: JS errors thrown by the core carry a
 * stable `code`, which become `FluxAzdoError`s here.
 */
import { readFileSync } from 'node:fs';

import * as wasm from '../wasm/flux_azdo_wasm.js';
import { FluxAzdoError, type ErrorCode } from './errors.js';

let initialised = false;

function ensureInit(): void {
  if (initialised) return;
  const bytes = readFileSync(new URL('../wasm/flux_azdo_wasm_bg.wasm', import.meta.url));
  wasm.initSync({ module: bytes });
  initialised = true;
}

interface CoreJsError extends Error {
  code?: string;
  option?: string;
}

/** Calls into the core, turning its errors into `FluxAzdoError`. */
export function callCore<T>(fn: () => T): T {
  ensureInit();
  try {
    return fn();
  } catch (err) {
    throw toFluxAzdoError(err);
  }
}

/** Like `callCore`, for the core's async functions (WebCrypto key generation). */
export async function callCoreAsync<T>(fn: () => Promise<T>): Promise<T> {
  ensureInit();
  try {
    return await fn();
  } catch (err) {
    throw toFluxAzdoError(err);
  }
}

function toFluxAzdoError(err: unknown): FluxAzdoError {
  if (err instanceof FluxAzdoError) return err;
  const e = err as CoreJsError;
  if (e && typeof e === 'object' && typeof e.code === 'string') {
    const opts = e.option === undefined ? {} : { option: e.option };
    return new FluxAzdoError(e.code as ErrorCode, e.message, opts);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new FluxAzdoError('INTERNAL', `the core failed unexpectedly: ${message}`, { cause: err });
}

export { wasm };
