/**
 * "Generate SSH key": an RSA keypair made in the page (WebCrypto, encoded by the core). The
 * private key stays in this module's memory until the user downloads it; it is never put in
 * the URL, the DOM or the console.
 */
import { generateRsaKey, type GeneratedKeyPair } from 'flux-azdo/core/web';

import { byId } from './dom.js';
import { copyText, saveFile } from './files.js';

export function setupKeyGenerator(): void {
  let key: GeneratedKeyPair | undefined;
  const form = byId('key-form', HTMLFormElement);
  const status = byId('key-status');
  const button = byId('key-generate', HTMLButtonElement);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const bits = Number(byId('key-bits', HTMLSelectElement).value);
    const passphrase = byId('key-passphrase', HTMLInputElement).value;
    button.disabled = true;
    status.textContent = globalThis.crypto?.subtle
      ? 'Generating…'
      : 'Generating without WebCrypto (this page is not in a secure context): this can take a minute…';
    const started = performance.now();
    generateRsaKey({ bits, ...(passphrase === '' ? {} : { passphrase }) })
      .then((generated) => {
        key = generated;
        byId('key-public', HTMLTextAreaElement).value = generated.publicKey;
        byId('key-fingerprint').textContent = generated.fingerprint;
        byId('key-result').hidden = false;
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        const how = generated.generator === 'webcrypto' ? 'WebCrypto' : 'the core';
        const encrypted = generated.opensshEncrypted ? ', private key encrypted with the passphrase' : '';
        status.textContent = `RSA ${generated.bits} key generated with ${how} in ${seconds} s${encrypted}.`;
      })
      .catch((err: unknown) => {
        status.textContent = err instanceof Error ? err.message : String(err);
      })
      .finally(() => {
        button.disabled = false;
      });
  });

  byId('key-copy').addEventListener('click', () => {
    if (!key) return;
    copyText(key.publicKey).then(
      () => (status.textContent = 'Public key copied.'),
      (err: unknown) => (status.textContent = err instanceof Error ? err.message : String(err)),
    );
  });
  byId('key-download').addEventListener('click', () => {
    if (key) saveFile('flux-azdo-id_rsa', key.privateKeyOpenssh, 'application/x-pem-file');
  });
}
