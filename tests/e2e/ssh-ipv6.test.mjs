// An SSH repository on an IPv6 address and a port other than 22: the push, the host key check and
// the cluster Secret's known_hosts all name the host as `[::1]:<port>`, and OpenSSH itself accepts
// that known_hosts line (the host once built `[[::1]]:<port>` from a second parse of the URL).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bootstrap } from '../../npm/dist/index.js';
import { startCluster } from '../harness/cluster.mjs';
import { startSshd } from '../servers/sshd.mjs';
import { bundleDir, controllerStandIn, getObject, git } from './support/bootstrap-env.mjs';

let cluster;
let sshd;
let work;

before(async () => {
  [cluster, sshd] = await Promise.all([startCluster(), startSshd({ listen: '::1' })]);
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-ipv6-'));
});
after(async () => {
  await Promise.allSettled([cluster?.stop(), sshd?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

test('bootstrap over SSH to [::1]:<port>: known_hosts is one valid [::1]:<port> entry that OpenSSH accepts', async () => {
  const ns = 'ipv6';
  const repo = sshd.createRepo('org', 'project', ns);
  const keyFile = join(work, 'id_rsa');
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-C', '', '-f', keyFile]);
  sshd.addAuthorizedKey(await readFile(`${keyFile}.pub`, 'utf8'));
  const url = sshd.repoUrl('org', 'project', ns);
  assert.match(url, /^ssh:\/\/[^@]+@\[::1\]:\d+\//);

  const standIn = controllerStandIn(cluster, ns);
  const result = await bootstrap(
    {
      url, path: 'clusters/v6', namespace: ns, privateKeyFile: keyFile, kubeconfig: cluster.kubeconfigPath,
      manifests: bundleDir, silent: true, timeout: '2m',
    },
    { onEvent: standIn.onEvent },
  );
  await standIn.settled();
  assert.equal(result.commits.length, 2);
  assert.equal(git(repo, 'rev-parse', 'main'), result.commits[1].sha);

  const res = await getObject(cluster, `/api/v1/namespaces/${ns}/secrets/flux-system`);
  assert.equal(res.status, 200);
  const knownHosts = Buffer.from(res.body.data.known_hosts, 'base64').toString();
  assert.equal(knownHosts, sshd.hostKeyLine);
  assert.match(knownHosts, new RegExp(`^\\[::1\\]:${sshd.port} ssh-rsa AAAA\\S+$`));

  // OpenSSH is the judge: with only this known_hosts and strict checking, ssh reaches the server
  // and runs Git there (an unknown or malformed entry would stop it before authentication).
  const knownHostsFile = join(work, 'known_hosts');
  await writeFile(knownHostsFile, `${knownHosts}\n`);
  const refs = execFileSync(
    'ssh',
    [
      '-o', `UserKnownHostsFile=${knownHostsFile}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes',
      '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', keyFile, '-p', String(sshd.port), `${sshd.user}@::1`,
      `git-upload-pack '/v3/org/project/${ns}'`,
    ],
    { input: '0000', encoding: 'utf8', timeout: 30_000 },
  );
  assert.ok(refs.includes(`${result.commits[1].sha} refs/heads/main`), 'the advertisement names the pushed tip');
});
