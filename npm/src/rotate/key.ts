/**
 * The new deploy key of a rotation: `--private-key-file` (or an in-memory key), else a new key of
 * the kind the core chose (RSA for Azure DevOps). Unlike bootstrap, the key in the cluster's
 * Secret is never reused: replacing it is the point.
 */
import { readFile } from 'node:fs/promises';

import type { RotationPlan } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { generateKey, loadPrivateKey, type KeyPair } from '../keys.js';
import { SecretValue } from '../secret-value.js';
import { generateNonRsa } from '../bootstrap/credentials.js';
import { secretOf } from '../bootstrap/options.js';
import type { RotateOptions } from './options.js';

export interface RotateKey {
  pair: KeyPair;
  source: 'given' | 'generated';
  /** Stored as the Secret's `password` when the key is encrypted. */
  passphrase: SecretValue | undefined;
}

export async function newDeployKey(options: RotateOptions, plan: RotationPlan): Promise<RotateKey> {
  const { privateKey, privateKeyFile } = options;
  if (privateKey || privateKeyFile) {
    const text = privateKey || (await readKeyFile(privateKeyFile ?? ''));
    const passphrase = secretOf(options.password);
    const pair = loadPrivateKey({ privateKey: text, ...(passphrase ? { passphrase } : {}), requireRsa: plan.requiresRsa });
    return { pair, source: 'given', passphrase: pair.identityEncrypted ? passphrase : undefined };
  }
  const { algorithm, rsaBits, ecdsaCurve } = plan.deployKey;
  const pair = algorithm === 'rsa' ? await generateKey({ bits: rsaBits }) : generateNonRsa(algorithm, ecdsaCurve);
  return { pair, source: 'generated', passphrase: undefined };
}

async function readKeyFile(path: string): Promise<SecretValue> {
  try {
    return new SecretValue(await readFile(path, 'utf8'));
  } catch {
    throw new FluxAzdoError('USAGE', `cannot read --private-key-file ${path}`, { option: 'private-key-file' });
  }
}
