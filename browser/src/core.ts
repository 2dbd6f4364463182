/**
 * The WebAssembly core in the page: loaded once from the files next to the page, its functions
 * typed with the types generated from the Rust core. Core errors arrive as JS `Error`s carrying
 * the stable `code` and the `option` they are about; they become `CoreError`s here.
 */
import init, * as wasm from '../../npm/wasm/flux_azdo_wasm.js';
import type { ErrorCode, Plan, PlanOptions, Repo } from '../../npm/src/generated/core-types.js';

export type { ErrorCode, Plan, PlanOptions, Repo };

/** What the page hands the core: the tarball bytes, or file name → content. */
export type BundleData = Uint8Array | Record<string, string>;

/** The keypair `generateRsaKey` returns (the core's `KeyPair` plus `generator`). */
export interface GeneratedKey {
  algorithm: string;
  bits: number;
  privateKeyOpenssh: string;
  opensshEncrypted: boolean;
  publicKey: string;
  fingerprint: string;
  generator: 'webcrypto' | 'rust';
}

export class CoreError extends Error {
  readonly code: ErrorCode | 'INTERNAL';
  /** The CLI flag (without dashes) the error is about, when there is one. */
  readonly option: string | undefined;

  constructor(code: ErrorCode | 'INTERNAL', message: string, option?: string) {
    super(message);
    this.name = 'CoreError';
    this.code = code;
    this.option = option;
  }
}

function toCoreError(err: unknown): CoreError {
  if (err instanceof CoreError) return err;
  if (err instanceof Error) {
    const { code, option } = err as Error & { code?: unknown; option?: unknown };
    if (typeof code === 'string') {
      return new CoreError(code as ErrorCode, err.message, typeof option === 'string' ? option : undefined);
    }
    return new CoreError('INTERNAL', `the core failed unexpectedly: ${err.message}`);
  }
  return new CoreError('INTERNAL', `the core failed unexpectedly: ${String(err)}`);
}

function call<T>(fn: () => unknown): T {
  try {
    return fn() as T;
  } catch (err) {
    throw toCoreError(err);
  }
}

/** Instantiates the core from `url` (streaming compilation while it downloads). */
export async function loadCore(url: URL): Promise<void> {
  await init({ module_or_path: url });
}

export function fluxVersion(): string {
  return wasm.fluxVersion();
}

export function planRepository(options: Partial<PlanOptions>, bundle: BundleData): Plan {
  return call<Plan>(() => wasm.planRepository(options, bundle));
}

export function parseRepoUrl(url: string): Repo {
  return call<Repo>(() => wasm.parseRepoUrl(url));
}

export function checkBundle(bundle: BundleData): void {
  call<void>(() => wasm.checkBundle(bundle));
}

/** An RSA keypair from WebCrypto, encoded by the core (the pure-Rust generator without it). */
export async function generateRsaKey(bits: number, passphrase: string): Promise<GeneratedKey> {
  try {
    return (await wasm.generateRsaKey(bits, passphrase === '' ? undefined : passphrase)) as GeneratedKey;
  } catch (err) {
    throw toCoreError(err);
  }
}
