/**
 * SSH keys for Azure DevOps. RSA keys are generated with WebCrypto (about 10× faster than the
 * pure-Rust fallback on WebAssembly) and encoded by the core; existing key files are loaded
 * in the formats Flux reads.
 */
import { callCore, callCoreAsync, wasm } from './core.js';
import { SecretValue } from './errors.js';

/** `--ssh-rsa-bits` when none is given. */
export const DEFAULT_RSA_BITS = 4096;

/** A keypair and every encoding of it; secret fields are `SecretValue`s. */
export interface KeyPair {
  /** The SSH key type: `ssh-rsa`, `ecdsa-sha2-nistp256|384|521` or `ssh-ed25519`. */
  algorithm: string;
  /** The RSA modulus size, the ECDSA curve size, or 256 for Ed25519. */
  bits: number;
  /**
   * What goes into the Secret's `identity`: the PKCS#8 PEM of a generated key (as Flux writes
   * it), or the loaded key file as given (encrypted PKCS#8, which Flux cannot read, decrypted).
   */
  identity: SecretValue;
  /** Whether `identity` needs the passphrase, i.e. the Secret also gets `password`. */
  identityEncrypted: boolean;
  /** Unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`); RSA keys only. */
  privateKeyPkcs8: SecretValue | undefined;
  /**
   * OpenSSH format: for a generated key, encrypted with the passphrase if one was given (for
   * the user's own file); for a loaded key, unencrypted (for SSH clients).
   */
  privateKeyOpenssh: SecretValue;
  /** Whether `privateKeyOpenssh` is encrypted. */
  opensshEncrypted: boolean;
  /** authorized_keys line without comment, ending in `\n` (the Secret's `identity.pub`). */
  publicKey: string;
  /** `SHA256:...`, as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

export interface GeneratedKeyPair extends KeyPair {
  /** Which generator made the key: WebCrypto, or the core's pure-Rust fallback. */
  generator: 'webcrypto' | 'rust';
}

export interface GenerateKeyOptions {
  /** `--ssh-rsa-bits`: 2048 to 8192, a multiple of 8; default 4096. */
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

/** The plain object the core returns; secrets are strings until wrapped here. */
interface RawKeyPair {
  algorithm: string;
  bits: number;
  identity: string;
  identityEncrypted: boolean;
  privateKeyPkcs8?: string;
  privateKeyOpenssh: string;
  opensshEncrypted: boolean;
  publicKey: string;
  fingerprint: string;
  generator?: 'webcrypto' | 'rust';
}

function reveal(value: string | SecretValue | undefined): string | undefined {
  return value instanceof SecretValue ? value.expose() : value;
}

function wrap(raw: RawKeyPair): KeyPair {
  return {
    algorithm: raw.algorithm,
    bits: raw.bits,
    identity: new SecretValue(raw.identity),
    identityEncrypted: raw.identityEncrypted,
    privateKeyPkcs8: raw.privateKeyPkcs8 === undefined ? undefined : new SecretValue(raw.privateKeyPkcs8),
    privateKeyOpenssh: new SecretValue(raw.privateKeyOpenssh),
    opensshEncrypted: raw.opensshEncrypted,
    publicKey: raw.publicKey,
    fingerprint: raw.fingerprint,
  };
}

/**
 * Generates an RSA keypair for Azure DevOps. Uses `globalThis.crypto.subtle` (Node ≥19,
 * browsers, workers) and falls back to the core's pure-Rust generator where it is missing.
 * Throws `INVALID_OPTION` (option `ssh-rsa-bits`) for a bad size.
 */
export async function generateKey(options: GenerateKeyOptions = {}): Promise<GeneratedKeyPair> {
  const bits = options.bits ?? DEFAULT_RSA_BITS;
  const passphrase = reveal(options.passphrase);
  const raw =
    options.generator === 'rust'
      ? callCore(() => wasm.generateRsaKeyPureRust(bits, passphrase) as RawKeyPair)
      : await callCoreAsync(async () => (await wasm.generateRsaKey(bits, passphrase)) as RawKeyPair);
  return { ...wrap(raw), generator: raw.generator ?? 'rust' };
}

/**
 * Loads an existing private key file. Throws `KEY_PASSPHRASE_REQUIRED` for an encrypted key
 * without passphrase, `WRONG_PASSPHRASE`, `INVALID_KEY` for anything unreadable,
 * `INVALID_OPTION` (option `password`) for a passphrase given with an unencrypted key, and
 * with `requireRsa`, `KEY_NOT_RSA`.
 */
export function loadPrivateKey(options: LoadPrivateKeyOptions): KeyPair {
  const key = options.privateKey instanceof SecretValue ? options.privateKey.expose() : options.privateKey;
  const bytes = typeof key === 'string' ? new TextEncoder().encode(key) : key;
  const passphrase = reveal(options.passphrase);
  return wrap(
    callCore(() => wasm.loadPrivateKey(bytes, passphrase, options.requireRsa ?? false) as RawKeyPair),
  );
}

/** The Secret's `known_hosts` line for a scanned host key (`[host]:port` unless port 22). */
export function knownHostsLine(host: string, port: number, keyType: string, keyBlobBase64: string): string {
  return callCore(() => wasm.knownHostsLine(host, port, keyType, keyBlobBase64));
}

/** `SHA256:...` of a public key blob (base64), as `ssh-keygen -l` prints it. */
export function fingerprintOfBlob(keyBlobBase64: string): string {
  return callCore(() => wasm.fingerprintOfBlob(keyBlobBase64));
}
