// The public URL parser: every Azure DevOps form users paste gives the same repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('parseRepoUrl gives one Repo for every Azure DevOps form, and INVALID_URL otherwise', async () => {
  const { parseRepoUrl, FluxAzdoError } = await import('../dist/index.js');
  const forms = [
    'https://dev.azure.com/org/My%20Project/_git/repo',
    'https://org@dev.azure.com/org/My Project/_git/repo',
    'https://org.visualstudio.com/DefaultCollection/My%20Project/_git/repo',
    'git@ssh.dev.azure.com:v3/org/My%20Project/repo',
    'ssh://git@ssh.dev.azure.com/v3/org/My%20Project/repo',
  ];
  const repos = forms.map((u) => parseRepoUrl(u));
  for (const r of repos) {
    assert.equal(r.kind, 'azureDevOpsServices');
    assert.equal(r.httpsUrl, 'https://dev.azure.com/org/My%20Project/_git/repo');
    assert.equal(r.sshUrl, 'ssh://git@ssh.dev.azure.com/v3/org/My%20Project/repo');
    assert.equal(r.project, 'My Project');
  }
  assert.throws(
    () => parseRepoUrl('https://dev.azure.com/org/project/_git/repo?path=/README.md'),
    (e) => e instanceof FluxAzdoError && e.code === 'INVALID_URL' && e.option === 'url',
  );
});

test("Repo.host is the host of httpsUrl as a browser's URL writes it", async () => {
  const { parseRepoUrl } = await import('../dist/index.js');
  for (const url of [
    'https://dev.azure.com/org/project/_git/repo',
    'git@ssh.dev.azure.com:v3/org/project/repo',
    'https://org.visualstudio.com/DefaultCollection/project/_git/repo',
    'https://tfs.example.com:8443/tfs/DefaultCollection/project/_git/repo',
    'https://TFS.example.com:443/DefaultCollection/project/_git/repo',
    'http://tfs:80/DefaultCollection/project/_git/repo',
    'http://tfs:443/DefaultCollection/project/_git/repo',
    'ssh://tfs.example.com:22/DefaultCollection/project/_git/repo',
    'https://[0:0:0:0:0:0:0:1]:8443/DefaultCollection/project/_git/repo',
    'https://[2001:DB8:0:0:1:0:0:1]/DefaultCollection/project/_git/repo',
    'https://[::ffff:192.0.2.1]/DefaultCollection/project/_git/repo',
    'https://github.com/fluxcd/flux2.git',
    'ssh://git@git.example.com:2222/team/fleet.git',
    'http://git.example.com:8080/team/fleet.git',
  ]) {
    const repo = parseRepoUrl(url);
    assert.equal(repo.host, new URL(repo.httpsUrl).host, url);
  }
});

test('organizationUrl comes from the core for the REST client and the tenant probe, names %-encoded', async () => {
  const { organizationUrl } = await import('../dist/core/node.js');
  assert.equal(organizationUrl('git@ssh.dev.azure.com:v3/my%20org/project/repo'), 'https://dev.azure.com/my%20org');
  assert.equal(organizationUrl('https://org.visualstudio.com/DefaultCollection/project/_git/repo'), 'https://dev.azure.com/org');
  assert.equal(
    organizationUrl('https://tfs.example.com:8443/tfs/Default Collection/project/_git/repo'),
    'https://tfs.example.com:8443/tfs/Default%20Collection',
  );
  assert.equal(organizationUrl('https://git.example.com/team/repo.git'), undefined);
  // The host spells the rule nowhere: the REST client and the tenant probe ask the core.
  const { readFile } = await import('node:fs/promises');
  for (const file of ['../src/azdo/rest.ts', '../src/bootstrap/workload-identity-tenant.ts']) {
    const source = await readFile(new URL(file, import.meta.url), 'utf8');
    assert.ok(!source.includes("'/_git/'") && !/\$\{base\.host\}/.test(source), `${file} builds the organisation URL itself`);
  }
});
