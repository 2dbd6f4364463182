// Certificates for the test control plane, made with the openssl CLI: one CA that signs the
// serving certificate and the client certificates, and a separate service-account signing key.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const run = promisify(execFile);

async function openssl(args, cwd) {
  await run('openssl', args, { cwd });
}

/** Creates ca.{crt,key}, apiserver.{crt,key} (for 127.0.0.1/localhost) and sa.{key,pub} in `dir`. */
export async function createControlPlanePki(dir) {
  const days = '2';
  await Promise.all([
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        days,
        '-subj',
        '/CN=flux-azdo-test-ca',
      ],
      dir,
    ),
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'sa.key'], dir).then(() =>
      openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir),
    ),
  ]);
  await writeFile(
    join(dir, 'apiserver.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
  );
  await signedCert(dir, 'apiserver', '/CN=kube-apiserver', 'apiserver.ext');
}

/**
 * A client certificate for user `name` in `groups`, signed by the cluster CA in `dir`.
 * Returns the PEM texts.
 */
export async function createClientCert(dir, fileStem, name, groups = []) {
  const subject = '/' + [...groups.map((g) => `O=${g}`), `CN=${name}`].join('/');
  await writeFile(join(dir, `${fileStem}.ext`), 'extendedKeyUsage=clientAuth\n');
  await signedCert(dir, fileStem, subject, `${fileStem}.ext`);
  const [cert, key] = await Promise.all([readFile(join(dir, `${fileStem}.crt`), 'utf8'), readFile(join(dir, `${fileStem}.key`), 'utf8')]);
  return { cert, key };
}

async function signedCert(dir, stem, subject, extFile) {
  await openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${stem}.key`,
      '-out',
      `${stem}.csr`,
      '-subj',
      subject,
    ],
    dir,
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${stem}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${stem}.crt`,
      '-extfile',
      extFile,
    ],
    dir,
  );
}
