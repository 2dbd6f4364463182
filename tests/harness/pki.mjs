// Certificates for the test control plane: one CA that signs the serving certificate and the
// client certificates (tests/support/test-pki.mjs, the one place tests make certificates), and a
// separate service-account signing key.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createCa, signCert } from '../support/test-pki.mjs';

const run = promisify(execFile);

const caOf = (dir) => ({ key: join(dir, 'ca.key'), cert: join(dir, 'ca.crt') });

/** Creates ca.{crt,key}, apiserver.{crt,key} (for 127.0.0.1/localhost) and sa.{key,pub} in `dir`. */
export async function createControlPlanePki(dir) {
  const opts = { cwd: dir };
  const saKey = run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'sa.key'], opts).then(
    () => run('openssl', ['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], opts),
  );
  createCa(dir, { subject: '/CN=flux-azdo-test-ca', ext: 'crt' });
  signCert(dir, {
    ca: caOf(dir),
    stem: 'apiserver',
    ext: 'crt',
    subject: '/CN=kube-apiserver',
    extensions: 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
  });
  await saKey;
}

/**
 * A client certificate for user `name` in `groups`, signed by the cluster CA in `dir`.
 * Returns the PEM texts.
 */
export async function createClientCert(dir, fileStem, name, groups = []) {
  const subject = '/' + [...groups.map((g) => `O=${g}`), `CN=${name}`].join('/');
  signCert(dir, { ca: caOf(dir), stem: fileStem, ext: 'crt', subject, extensions: 'extendedKeyUsage=clientAuth\n' });
  const [cert, key] = await Promise.all([readFile(join(dir, `${fileStem}.crt`), 'utf8'), readFile(join(dir, `${fileStem}.key`), 'utf8')]);
  return { cert, key };
}
