/**
 * SSH keys for Azure DevOps. RSA keys are generated with WebCrypto (about 10× faster than the
 * pure-Rust fallback on WebAssembly) and encoded by the core; existing key files are loaded
 * in the formats Flux reads. The types are the core's; this module only wraps their secrets in
 * `SecretValue`.
 */
import * as core from './core/node.js';
import type { KeyGenerator, KeyPair as CoreKeyPair } from './core/node.js';
import { SecretValue } from './secret-value.js';

export { fingerprintOfBlob, knownHostsLine } from './core/node.js';

type SecretField = 'identity' | 'privateKeyPkcs8' | 'privateKeyOpenssh';

/** A keypair and every encoding of it (the core's `KeyPair`), its secrets as `SecretValue`s. */
export type KeyPair = Omit<CoreKeyPair, SecretField> & {
  /** What goes into the Secret's `identity` (see the core's `KeyPair.identity`). */
  identity: SecretValue;
  /** Unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`); RSA keys only. */
  privateKeyPkcs8?: SecretValue;
  /** OpenSSH format (see the core's `KeyPair.privateKeyOpenssh`). */
  privateKeyOpenssh: SecretValue;
};

export type GeneratedKeyPair = KeyPair & {
  /** Which generator made the key: WebCrypto, or the core's pure-Rust fallback. */
  generator: KeyGenerator;
};

export interface GenerateKeyOptions {
  /** `--ssh-rsa-bits`: 2048 to 8192, a multiple of 8; default `defaults().rsaBits`. */
  bits?: number;
  /** Encrypts `privateKeyOpenssh` (bcrypt KDF, aes256-ctr, as `ssh-keygen -N`). */
  passphrase?: string | SecretValue;
  /** `'rust'` skips WebCrypto and uses the slow pure-Rust generator (benchmarks, tests). */
  generator?: 'auto' | 'rust';
}

export interface LoadPrivateKeyOptions {
  /** The key file's content (`--private-key-file`): OpenSSH, PKCS#1, SEC1 or PKCS#8 PEM. */
  privateKey: string | Uint8Array | SecretValue;
  /** `--password`: the key's passphrase, when it is encrypted. */
  passphrase?: string | SecretValue;
  /** Refuse non-RSA keys (`KEY_NOT_RSA`), as Azure DevOps SSH accepts only RSA. */
  requireRsa?: boolean;
}

function reveal(value: string | SecretValue | undefined): string | undefined {
  return value instanceof SecretValue ? value.expose() : value;
}

function wrap(raw: CoreKeyPair): KeyPair {
  const { identity, privateKeyPkcs8, privateKeyOpenssh, ...rest } = raw;
  return {
    ...rest,
    identity: new SecretValue(identity),
    ...(privateKeyPkcs8 === undefined ? {} : { privateKeyPkcs8: new SecretValue(privateKeyPkcs8) }),
    privateKeyOpenssh: new SecretValue(privateKeyOpenssh),
  };
}

/**
 * Generates an RSA keypair for Azure DevOps. Uses `globalThis.crypto.subtle` (Node ≥19,
 * browsers, workers) and falls back to the core's pure-Rust generator where it is missing.
 * Throws `INVALID_OPTION` (option `ssh-rsa-bits`) for a bad size.
 */
export async function generateKey(options: GenerateKeyOptions = {}): Promise<GeneratedKeyPair> {
  const passphrase = reveal(options.passphrase);
  const request = { ...(options.bits === undefined ? {} : { bits: options.bits }), ...(passphrase ? { passphrase } : {}) };
  const { generator, ...pair } = options.generator === 'rust' ? core.generateRsaKeyPureRust(request) : await core.generateRsaKey(request);
  return { ...wrap(pair), generator };
}

/**
 * Loads an existing private key file. Throws `KEY_PASSPHRASE_REQUIRED` for an encrypted key
 * without passphrase, `WRONG_PASSPHRASE`, `INVALID_KEY` for anything unreadable,
 * `INVALID_OPTION` (option `password`) for a passphrase given with an unencrypted key, and
 * with `requireRsa`, `KEY_NOT_RSA`.
 */
export function loadPrivateKey(options: LoadPrivateKeyOptions): KeyPair {
  const key = options.privateKey instanceof SecretValue ? options.privateKey.expose() : options.privateKey;
  const passphrase = reveal(options.passphrase);
  return wrap(
    core.loadPrivateKey({
      privateKey: key,
      ...(passphrase === undefined ? {} : { passphrase }),
      ...(options.requireRsa === undefined ? {} : { requireRsa: options.requireRsa }),
    }),
  );
}
