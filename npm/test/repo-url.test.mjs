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
