// The one place tests make certificates (the openssl CLI): a throwaway CA and leaf certificates it
// signs, EC P-256 so each costs a few milliseconds. Used by the HTTPS Git server, the instance
// discovery stand-in and the control plane's PKI (tests/harness/pki.mjs).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DAYS = '2';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args) {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A self-signed CA in `dir`: `<stem>.key` and `<stem>.<ext>` (`pem` or `crt`). Returns the paths.
 * @param {string} dir
 * @param {{ subject: string, stem?: string, ext?: string }} options subject like `/CN=…`
 */
export function createCa(dir, { subject, stem = 'ca', ext = 'pem' }) {
  const ca = { key: join(dir, `${stem}.key`), cert: join(dir, `${stem}.${ext}`) };
  openssl([
    'req',
    '-x509',
    ...EC,
    '-keyout',
    ca.key,
    '-out',
    ca.cert,
    '-days',
    DAYS,
    '-subj',
    subject,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return ca;
}

/**
 * A key and certificate signed by `ca`: `<stem>.key`, `<stem>.<ext>`; `extensions` is the
 * extension file's text (e.g. `subjectAltName=…\nextendedKeyUsage=serverAuth\n`).
 * @param {string} dir
 * @param {{ ca: { key: string, cert: string }, stem: string, subject: string, extensions: string, ext?: string }} options
 */
export function signCert(dir, { ca, stem, subject, extensions, ext = 'pem' }) {
  const out = { key: join(dir, `${stem}.key`), cert: join(dir, `${stem}.${ext}`) };
  const csr = join(dir, `${stem}.csr`);
  const extFile = join(dir, `${stem}.ext`);
  writeFileSync(extFile, extensions);
  openssl(['req', ...EC, '-keyout', out.key, '-out', csr, '-subj', subject]);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    out.cert,
    '-days',
    DAYS,
    '-extfile',
    extFile,
  ]);
  return out;
}

/** A CA and a server certificate for `names` (`IP:127.0.0.1`, `DNS:localhost`, …) in `dir`. */
export function serverCertificate(dir, { caSubject, subject, names }) {
  const ca = createCa(dir, { subject: caSubject });
  const server = signCert(dir, {
    ca,
    stem: 'server',
    subject,
    extensions: `subjectAltName=${names.join(',')}\nextendedKeyUsage=serverAuth\n`,
  });
  return { caFile: ca.cert, keyFile: server.key, certFile: server.cert };
}
