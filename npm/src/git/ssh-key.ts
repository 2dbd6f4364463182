/**
 * The SSH client key: parsing (PEM or OpenSSH text, optional passphrase) and the choice of the
 * signature algorithm.
 *
 * ssh2 picks the RSA signature algorithm from the server's `server-sig-algs` extension and falls
 * back to SHA-1 `ssh-rsa` when the server sends none (`getKeyAlgos` in ssh2's lib/client.js).
 * Azure DevOps refuses SHA-1. ssh2 asks `getKeyAlgos` only for keys whose `type` is `ssh-rsa`; for
 * any other type it uses `key.type` as the algorithm name and calls `key.sign(data)` without a
 * hash. So an RSA key is handed to ssh2 as a view whose `type` is `rsa-sha2-512` and whose
 * `sign` hashes with SHA-512: the public key blob (still `ssh-rsa`, from the prototype) is
 * unchanged, and every signature is RSA SHA-512 whatever the server advertises.
 */
import ssh2, { type ParsedKey } from 'ssh2';

import { FluxAzdoError } from '../errors.js';
import type { SecretValue } from '../secret-value.js';

/** The signature algorithm used for RSA user keys (RFC 8332). */
export const RSA_SIGNATURE_ALGORITHM = 'rsa-sha2-512';

const HASH_OF_RSA_ALGORITHM = {
  'rsa-sha2-512': 'sha512',
  'rsa-sha2-256': 'sha256',
  'ssh-rsa': 'sha1',
} as const;

export type RsaSignatureAlgorithm = keyof typeof HASH_OF_RSA_ALGORITHM;

/** Parses the private key; a wrong or missing passphrase and a bad key have their own codes. */
export function parsePrivateKey(privateKey: SecretValue, passphrase?: SecretValue): ParsedKey {
  const pass = passphrase === undefined || passphrase.isEmpty ? undefined : passphrase.expose();
  let result: ParsedKey | ParsedKey[] | Error;
  try {
    result = ssh2.utils.parseKey(privateKey.expose(), pass);
  } catch {
    result = new Error('unreadable key');
  }
  const parsed = Array.isArray(result) ? (result[0] ?? new Error('no key in the text')) : result;
  if (parsed instanceof Error) {
    const reason = parsed.message;
    if (/no passphrase given/i.test(reason)) {
      throw new FluxAzdoError(
        'KEY_PASSPHRASE_REQUIRED',
        'the SSH private key is encrypted; give its passphrase with --password or GIT_PASSWORD',
        {
          option: 'password',
        },
      );
    }
    if (pass !== undefined && /passphrase|decrypt|integrity/i.test(reason)) {
      throw new FluxAzdoError('WRONG_PASSPHRASE', 'the passphrase does not decrypt the SSH private key; check --password', {
        option: 'password',
      });
    }
    throw new FluxAzdoError('INVALID_KEY', 'the SSH private key could not be read; give an RSA key in PEM or OpenSSH format', {
      option: 'private-key-file',
    });
  }
  if (!parsed.isPrivateKey()) {
    throw new FluxAzdoError('INVALID_KEY', 'the SSH key given is a public key; give the private key', {
      option: 'private-key-file',
    });
  }
  return parsed;
}

/**
 * The key as ssh2 should use it: RSA keys always sign with `algorithm` (rsa-sha2-512 unless a
 * test asks otherwise); other key types are returned as they are.
 */
export function signingKey(key: ParsedKey, algorithm: RsaSignatureAlgorithm = RSA_SIGNATURE_ALGORITHM): ParsedKey {
  if (key.type !== 'ssh-rsa') return key;
  const hash = HASH_OF_RSA_ALGORITHM[algorithm];
  return Object.create(key, {
    type: { value: algorithm, enumerable: true },
    sign: { value: (data: Buffer) => key.sign(data, hash) },
  }) as ParsedKey;
}
