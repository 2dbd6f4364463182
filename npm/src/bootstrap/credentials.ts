/**
 * The credentials of a bootstrap: how the CLI pushes (PAT over HTTPS, or an SSH key) and what the
 * cluster gets (the PAT, or a deploy key: loaded from --private-key-file, kept from an existing
 * Secret, or generated — RSA for Azure DevOps, as it accepts nothing else).
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import type { AzureDevOpsTokenProvider } from '../azure/token-provider.js';
import type { EcdsaCurve, KeyAlgorithm, Plan } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { SecretValue } from '../secret-value.js';
import type { GitAuth } from '../git/index.js';
import { generateKey, loadPrivateKey, type KeyPair } from '../keys.js';
import { secretOf, type BootstrapOptions } from './options.js';

/** Where the deploy key comes from: given (`privateKeyFile` or `privateKey`), kept from the cluster's Secret, or made now. */
export type KeySource = 'given' | 'existing-secret' | 'generated';

export interface DeployKey {
  pair: KeyPair;
  source: KeySource;
  /** The passphrase the Secret needs (`password`) when `identity` is encrypted. */
  passphrase: SecretValue | undefined;
}

/** Asks for the passphrase of an encrypted key (a hidden prompt); undefined when none was given. */
export type AskPassphrase = () => Promise<SecretValue | undefined>;

/** A Secret's `data` as the cluster holds it (base64 values). */
export type SecretData = Record<string, string> | undefined;

export function pushesOverSsh(plan: Plan): boolean {
  return plan.push.transport === 'ssh';
}

/** The PAT for an HTTPS push, required. */
export function patFor(options: BootstrapOptions): SecretValue {
  const pat = secretOf(options.password);
  if (!pat) {
    throw new FluxAzdoError(
      'USAGE',
      'an HTTPS repository needs a Personal Access Token with Code (Read & Write) scope: pass --password, set GIT_PASSWORD, or pipe it on stdin',
      { option: 'password' },
    );
  }
  return pat;
}

/**
 * The deploy key the cluster (and an SSH push) uses: the user's key, else the key already in the
 * cluster's Secret (a re-run never rotates it), else a new one.
 */
export async function deployKey(
  options: BootstrapOptions,
  plan: Plan,
  existing: SecretData,
  askPassphrase?: AskPassphrase,
): Promise<DeployKey> {
  const requireRsa = plan.requiresRsa;
  let passphrase = secretOf(options.password);
  const { privateKey, privateKeyFile } = options;
  if (privateKey || privateKeyFile) {
    const text = privateKey || (await readKeyFile(privateKeyFile ?? ''));
    const load = () => loadPrivateKey({ privateKey: text, ...(passphrase ? { passphrase } : {}), requireRsa });
    let pair: KeyPair;
    try {
      pair = load();
    } catch (err) {
      // An encrypted key and no passphrase: ask once (the CLI does on a terminal), then retry;
      // without a way to ask, or with nothing typed, the error stands.
      if (!(err instanceof FluxAzdoError && err.code === 'KEY_PASSPHRASE_REQUIRED') || !askPassphrase) throw err;
      passphrase = await askPassphrase();
      if (!passphrase) throw err;
      pair = load();
    }
    return { pair, source: 'given', passphrase: pair.identityEncrypted ? passphrase : undefined };
  }
  if (existing?.identity) {
    const decode = (v: string | undefined) => (v ? Buffer.from(v, 'base64').toString('utf8') : undefined);
    const storedPassphrase = secretOf(decode(existing.password));
    const pair = loadPrivateKey({
      privateKey: new SecretValue(Buffer.from(existing.identity, 'base64').toString('utf8')),
      ...(storedPassphrase ? { passphrase: storedPassphrase } : {}),
      requireRsa,
    });
    return { pair, source: 'existing-secret', passphrase: storedPassphrase };
  }
  // The core chose the kind (and refused a non-RSA one for Azure DevOps).
  const { algorithm, rsaBits, ecdsaCurve } = plan.deployKey;
  if (algorithm === 'rsa') {
    const pair = await generateKey({ bits: rsaBits });
    return { pair, source: 'generated', passphrase: undefined };
  }
  return { pair: generateNonRsa(algorithm, ecdsaCurve), source: 'generated', passphrase: undefined };
}

async function readKeyFile(path: string): Promise<SecretValue> {
  try {
    return new SecretValue(await readFile(path, 'utf8'));
  } catch {
    throw new FluxAzdoError('USAGE', `cannot read --private-key-file ${path}`, { option: 'private-key-file' });
  }
}

const NAMED_CURVES: Record<EcdsaCurve, string> = { p256: 'P-256', p384: 'P-384', p521: 'P-521' };

/** ECDSA or Ed25519 through the platform's crypto, encoded by the core (Flux's formats). */
export function generateNonRsa(algorithm: Exclude<KeyAlgorithm, 'rsa'>, curve: EcdsaCurve): KeyPair {
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  const pem =
    algorithm === 'ecdsa'
      ? generateKeyPairSync('ec', { namedCurve: NAMED_CURVES[curve], privateKeyEncoding, publicKeyEncoding }).privateKey
      : generateKeyPairSync('ed25519', { privateKeyEncoding, publicKeyEncoding }).privateKey;
  return loadPrivateKey({ privateKey: new SecretValue(pem) });
}

/** The auth the CLI's own Git connection uses: the core's `pushCredential` decides which. */
export function pushAuth(
  options: BootstrapOptions,
  plan: Plan,
  key: DeployKey | undefined,
  knownHosts: string | undefined,
  tokens?: AzureDevOpsTokenProvider,
): GitAuth {
  if (plan.pushCredential === 'entra') {
    if (!tokens) throw new FluxAzdoError('INTERNAL', 'an Entra push needs the token provider');
    return { kind: 'entra', tokens };
  }
  if (plan.pushCredential === 'bearer') return { kind: 'bearer', token: patFor(options) };
  if (plan.push.transport === 'https') {
    return { kind: 'token', username: plan.username, password: patFor(options) };
  }
  if (!key) throw new FluxAzdoError('INTERNAL', 'an SSH push needs a key');
  const algos = plan.push.hostKeyAlgorithms;
  return {
    kind: 'ssh',
    privateKey: key.pair.privateKeyOpenssh,
    ...(knownHosts ? { knownHosts } : {}),
    ...(algos.length > 0 ? { hostKeyAlgos: algos } : {}),
  };
}
