// The VS Code extension, driven through its commands with a recording `vscode` stub (VS Code
// itself cannot be launched here), over the real bundle, the real flux-azdo package and its
// WebAssembly core, real files and real (refused) network connections.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { manifestsDir as bundleDir } from '../support/flux-reference.mjs';
import { bundlePath, callsOf, createVscodeStub, loadExtension, outputText, runCommand } from './support/vscode-stub.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const extensionDir = join(repoRoot, 'vscode-extension');
const pkg = JSON.parse(await readFile(join(extensionDir, 'package.json'), 'utf8'));
const fluxAzdo = await import(join(repoRoot, 'npm', 'dist', 'index.js'));

const AZURE_URL = 'https://dev.azure.com/contoso/Platform/_git/fleet';
const TOKEN_AUTH = 'Personal Access Token over HTTPS';

describe('activation', () => {
  test('registers every contributed command and the preview scheme', () => {
    const stub = createVscodeStub();
    const extension = loadExtension(bundlePath, stub);
    extension.activate(stub.context);
    const contributed = pkg.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, ['fluxAzdo.bootstrap', 'fluxAzdo.bootstrapFolder', 'fluxAzdo.forgetPat', 'fluxAzdo.previewManifests']);
    assert.deepEqual([...stub.commands.keys()].sort(), contributed);
    assert.deepEqual(
      pkg.activationEvents.sort(),
      contributed.map((c) => `onCommand:${c}`),
    );
    assert.deepEqual(
      callsOf(stub, 'createOutputChannel').map((c) => c.args[0]),
      ['Flux for Azure DevOps'],
    );
    // Everything registered is handed to VS Code for disposal.
    assert.equal(stub.context.subscriptions.length, 6);
  });

  test('the vscode stub type-checks against @types/vscode (it cannot drift from the API)', () => {
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', join(repoRoot, 'tests', 'e2e', 'support', 'tsconfig.vscode-stub.json')], { stdio: 'pipe' });
  });

  test('@types/vscode is the engines.vscode minimum', () => {
    assert.equal(`^${pkg.devDependencies['@types/vscode']}`, pkg.engines.vscode);
  });

  test('the settings the commands read are the ones contributed', () => {
    assert.deepEqual(Object.keys(pkg.contributes.configuration.properties).sort(), [
      'fluxAzdo.caFile',
      'fluxAzdo.components',
      'fluxAzdo.componentsExtra',
      'fluxAzdo.defaultPath',
      'fluxAzdo.manifests',
      'fluxAzdo.registry',
      'fluxAzdo.timeout',
      'fluxAzdo.version',
    ]);
  });

  test("the settings' defaults are the core's defaults(), as scripts/settings.mjs writes them", () => {
    const props = pkg.contributes.configuration.properties;
    const d = fluxAzdo.defaults();
    assert.deepEqual(props['fluxAzdo.components'].default, d.options.components);
    assert.deepEqual(props['fluxAzdo.components'].items.enum, [...d.options.components, ...d.componentsExtra]);
    assert.equal(props['fluxAzdo.registry'].default, d.options.registry);
    assert.equal(props['fluxAzdo.version'].default, d.options.version);
    assert.equal(props['fluxAzdo.timeout'].default, d.timeout);
    // The script's own check agrees (the build runs it).
    execFileSync(process.execPath, [join(extensionDir, 'scripts', 'settings.mjs'), '--check'], { stdio: 'pipe' });
  });

  test('the Explorer entry is on folders only and hidden from the palette', () => {
    assert.deepEqual(
      pkg.contributes.menus['explorer/context'].map((m) => [m.command, m.when]),
      [['fluxAzdo.bootstrapFolder', 'explorerResourceIsFolder']],
    );
    assert.deepEqual(pkg.contributes.menus.commandPalette, [{ command: 'fluxAzdo.bootstrapFolder', when: 'false' }]);
  });

  test("the componentsExtra setting offers the core's extras, in its order", () => {
    // contributes.configuration is static JSON: this test is what keeps it equal to the core.
    const setting = pkg.contributes.configuration.properties['fluxAzdo.componentsExtra'];
    assert.deepEqual(setting.items.enum, fluxAzdo.defaults().componentsExtra);
  });
});

describe('Preview Bootstrap Files', () => {
  let expectedDir;
  before(async () => {
    expectedDir = await mkdtemp(join(tmpdir(), 'flux-azdo-vscode-expected-'));
  });
  after(async () => {
    await rm(expectedDir, { recursive: true, force: true });
  });

  for (const { name, url, auth, tokenAuth } of [
    { name: 'token auth', url: AZURE_URL, auth: TOKEN_AUTH, tokenAuth: true },
    { name: 'SSH, scp-like URL', url: 'git@ssh.dev.azure.com:v3/contoso/Platform/fleet', auth: 'SSH key', tokenAuth: false },
  ]) {
    test(`opens exportFiles' three files read-only, byte for byte (${name})`, async () => {
      const settings = {
        'fluxAzdo.manifests': bundleDir,
        'fluxAzdo.defaultPath': 'clusters/staging',
        'fluxAzdo.componentsExtra': ['image-reflector-controller', 'image-automation-controller'],
      };
      const stub = await runCommand('fluxAzdo.previewManifests', {
        settings,
        answers: [
          ['Repository URL', url],
          ['Branch', 'release'],
          ['Path in the repository', 'clusters/staging'],
          ['authenticates', auth],
          ['Preview the files', 'Open the files'],
        ],
      });
      assert.deepEqual(stub.remaining, []);
      assert.deepEqual(stub.unanswered, []);

      const dir = join(expectedDir, name.replace(/\W+/g, '-'));
      const expected = await fluxAzdo.exportFiles({
        url,
        branch: 'release',
        path: 'clusters/staging',
        tokenAuth,
        manifests: bundleDir,
        componentsExtra: settings['fluxAzdo.componentsExtra'],
        dir,
      });
      // The same options on the command line: what `flux-azdo bootstrap git --export` writes.
      const cliDir = `${dir}-cli`;
      execFileSync(
        process.execPath,
        [
          join(repoRoot, 'npm', 'dist', 'cli', 'main.js'),
          'bootstrap',
          'git',
          `--url=${url}`,
          '--branch=release',
          '--path=clusters/staging',
          ...(tokenAuth ? ['--token-auth'] : []),
          `--manifests=${bundleDir}`,
          `--components-extra=${settings['fluxAzdo.componentsExtra'].join(',')}`,
          `--export=${cliDir}`,
        ],
        { stdio: 'pipe' },
      );
      const shown = callsOf(stub, 'showTextDocument');
      assert.equal(shown.length, 3);
      assert.deepEqual(
        shown.map((c) => c.args[1].viewColumn),
        [1, 2, 3],
        'side by side',
      );
      const opened = callsOf(stub, 'openTextDocument').map((c) => c.args[0]);
      assert.deepEqual(
        opened,
        shown.map((c) => c.args[0]),
      );
      const names = opened.map((u) => u.split('/').pop());
      assert.deepEqual(names, ['gotk-components.yaml', 'gotk-sync.yaml', 'kustomization.yaml']);

      const provider = await documentsOf(stub, opened);
      for (const [i, file] of expected.files.entries()) {
        assert.ok(opened[i].endsWith(`/${file.path}`), `${opened[i]} is ${file.path}`);
        assert.equal(provider[i].readOnly, true, `${file.path} opens read-only`);
        const onDisk = await readFile(join(dir, file.path));
        assert.ok(Buffer.from(provider[i].text, 'utf8').equals(onDisk), `${file.path} is byte-identical to exportFiles'`);
        const fromCli = await readFile(join(cliDir, file.path));
        assert.ok(Buffer.from(provider[i].text, 'utf8').equals(fromCli), `${file.path} is byte-identical to bootstrap git --export's`);
      }
      // The token-or-SSH choice reaches the files: the sync URL's scheme follows it.
      const sync = provider[1].text;
      assert.match(
        sync,
        tokenAuth
          ? /url: https:\/\/dev\.azure\.com\/contoso\/Platform\/_git\/fleet/
          : /url: ssh:\/\/git@ssh\.dev\.azure\.com\/v3\/contoso\/Platform\/fleet/,
      );
      assert.match(provider[0].text, /image-automation-controller/);
      // No credential was asked for, and nothing failed.
      assert.equal(callsOf(stub, 'showInputBox').filter((c) => c.args[0].password).length, 0);
      assert.equal(callsOf(stub, 'showErrorMessage').length, 0);
      assert.equal(callsOf(stub, 'secrets.get').length, 0);
    });
  }

  test('Azure workload identity: the files carry provider azure and the identity patches, as bootstrap git --export writes them', async () => {
    const clientId = '11111111-2222-3333-4444-555555555555';
    const tenantId = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    const stub = await runCommand('fluxAzdo.previewManifests', {
      settings: { 'fluxAzdo.manifests': bundleDir, 'fluxAzdo.defaultPath': 'clusters/wi' },
      answers: [
        ['Repository URL', 'git@ssh.dev.azure.com:v3/contoso/Platform/fleet'],
        ['Branch', 'main'],
        ['Path in the repository', 'clusters/wi'],
        ['authenticates', 'Azure workload identity'],
        ['Client id of the managed identity', clientId],
        ['Tenant id of the managed identity', tenantId],
        ['Preview the files', 'Open the files'],
      ],
    });
    assert.deepEqual(stub.remaining, []);
    assert.deepEqual(stub.unanswered, []);
    const cliDir = join(expectedDir, 'workload-identity-cli');
    execFileSync(
      process.execPath,
      [
        join(repoRoot, 'npm', 'dist', 'cli', 'main.js'),
        'bootstrap',
        'git',
        `--url=${AZURE_URL}`,
        '--branch=main',
        '--path=clusters/wi',
        '--provider=azure',
        `--workload-identity-client-id=${clientId}`,
        `--workload-identity-tenant-id=${tenantId}`,
        `--manifests=${bundleDir}`,
        `--export=${cliDir}`,
      ],
      { stdio: 'pipe' },
    );
    const opened = callsOf(stub, 'openTextDocument').map((c) => c.args[0]);
    const docs = await documentsOf(stub, opened);
    assert.equal(docs.length, 3);
    for (const [i, name] of ['gotk-components.yaml', 'gotk-sync.yaml', 'kustomization.yaml'].entries()) {
      const fromCli = await readFile(join(cliDir, 'clusters', 'wi', 'flux-system', name));
      assert.ok(Buffer.from(docs[i].text, 'utf8').equals(fromCli), `${name} is byte-identical to bootstrap git --export's`);
    }
    assert.match(docs[1].text, /\n {2}provider: azure\n/);
    assert.doesNotMatch(docs[1].text, /secretRef/);
    assert.match(docs[1].text, /url: https:\/\/dev\.azure\.com\/contoso\/Platform\/_git\/fleet/);
    assert.ok(docs[2].text.includes(`azure.workload.identity/client-id: "${clientId}"`));
    assert.ok(docs[2].text.includes('azure.workload.identity/use: "true"'));
    assert.equal(callsOf(stub, 'showErrorMessage').length, 0);
  });

  test("an invalid URL keeps the box open with the core's INVALID_URL message", async () => {
    let coreError;
    try {
      fluxAzdo.parseRepoUrl('dev.azure.com/contoso');
    } catch (err) {
      coreError = err;
    }
    assert.equal(coreError?.code, 'INVALID_URL');

    const stub = await runCommand('fluxAzdo.previewManifests', {
      settings: { 'fluxAzdo.manifests': bundleDir },
      answers: [
        ['Repository URL', 'dev.azure.com/contoso'],
        ['Repository URL', undefined],
      ],
    });
    const validations = callsOf(stub, 'inputBox.validation').map((c) => c.args[0]);
    assert.deepEqual(validations, [{ prompt: 'Repository URL on Azure DevOps', password: false, message: coreError.message }]);
    // Escape after that ends the command quietly.
    assert.equal(callsOf(stub, 'showInputBox').length, 1);
    assert.equal(callsOf(stub, 'showErrorMessage').length, 0);
    assert.equal(callsOf(stub, 'openTextDocument').length, 0);
  });

  test('a token pasted into the URL is dropped, not shown', async () => {
    const secret = `fake-pat-${randomBytes(16).toString('hex')}`;
    const stub = await runCommand('fluxAzdo.previewManifests', {
      settings: { 'fluxAzdo.manifests': bundleDir },
      answers: [
        ['Repository URL', `https://someone:${secret}@dev.azure.com/contoso/Platform/_git/fleet`],
        ['Branch', 'main'],
        ['Path in the repository', ''],
        ['authenticates', TOKEN_AUTH],
        ['Preview the files', 'Open the files'],
      ],
    });
    const opened = callsOf(stub, 'showTextDocument').map((c) => c.args[0]);
    assert.equal(opened.length, 3);
    const docs = await documentsOf(stub, opened);
    assert.match(docs[1].text, /url: https:\/\/dev\.azure\.com\/contoso\/Platform\/_git\/fleet\n/);
    for (const doc of docs) assert.ok(!doc.text.includes(secret));
    assert.ok(!JSON.stringify(stub.calls).includes(secret));
    assert.ok(!outputText(stub).includes(secret));
  });

  test('a valid URL passes validation on the first answer', async () => {
    const stub = await runCommand('fluxAzdo.previewManifests', {
      answers: [
        ['Repository URL', AZURE_URL],
        ['Branch', undefined],
      ],
    });
    const validations = callsOf(stub, 'inputBox.validation').map((c) => c.args[0].message);
    assert.deepEqual(validations, [null]);
  });

  test('a missing manifests bundle ends with an error message carrying the code', async () => {
    const missing = join(expectedDir, 'no-such-bundle');
    const stub = await runCommand('fluxAzdo.previewManifests', {
      settings: { 'fluxAzdo.manifests': missing },
      answers: [
        ['Repository URL', AZURE_URL],
        ['Branch', 'main'],
        ['Path in the repository', ''],
        ['authenticates', TOKEN_AUTH],
        ['Preview the files', 'Open the files'],
      ],
    });
    const errors = callsOf(stub, 'showErrorMessage');
    assert.equal(errors.length, 1);
    assert.match(errors[0].args[0], /\(MANIFESTS_NOT_FOUND\)/);
    assert.deepEqual(errors[0].args.slice(1), ['Show Log']);
    assert.match(outputText(stub), /MANIFESTS_NOT_FOUND/);
    assert.equal(callsOf(stub, 'openTextDocument').length, 0);
  });
});

describe('Bootstrap Cluster', () => {
  let work;
  let gitHost;
  const gitConnections = [];
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'flux-azdo-vscode-'));
    // Stands where the repository is: any connection to it would be a bootstrap that went
    // past its pre-flight, so it counts them (and closes them).
    gitHost = createServer((socket) => {
      gitConnections.push(socket.remoteAddress);
      socket.destroy();
    });
    await new Promise((ok) => gitHost.listen(0, '127.0.0.1', ok));
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      'current-context: unreachable',
      'clusters:',
      '- name: nowhere',
      '  cluster:',
      '    server: https://127.0.0.1:1',
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: someone',
      '  user:',
      '    token: fake-kube-token',
      'contexts:',
      '- name: unreachable',
      '  context: { cluster: nowhere, user: someone }',
      '- name: dangling',
      '  context: { cluster: not-defined, user: someone }',
      '',
    ].join('\n');
    await writeFile(join(work, 'kubeconfig'), kubeconfig);
  });
  after(async () => {
    await new Promise((ok) => gitHost.close(ok));
    await rm(work, { recursive: true, force: true });
  });

  for (const { context, code } of [
    { context: 'unreachable', code: 'KUBE_UNREACHABLE' },
    { context: 'dangling', code: 'KUBECONFIG_INVALID' },
  ]) {
    test(`context "${context}" ends with ${code}, writes nothing and never shows the PAT`, async () => {
      const pat = `fake-pat-${randomBytes(16).toString('hex')}`;
      const url = `https://127.0.0.1:${gitHost.address().port}/contoso/Platform/_git/fleet`;
      // A private TMPDIR: whatever the command leaves there is its own (os.tmpdir() reads it).
      const scratch = await mkdtemp(join(work, 'tmp-'));
      const saved = process.env.KUBECONFIG;
      const savedTmp = process.env.TMPDIR;
      process.env.KUBECONFIG = join(work, 'kubeconfig');
      process.env.TMPDIR = scratch;
      let stub;
      try {
        stub = await runCommand('fluxAzdo.bootstrap', {
          settings: { 'fluxAzdo.manifests': bundleDir },
          answers: [
            ['Repository URL', url],
            ['Branch', 'main'],
            ['Path in the repository', 'clusters/dev'],
            ['authenticates', TOKEN_AUTH],
            ['pushes the bootstrap commits', 'Personal Access Token'],
            ['Personal Access Token', pat],
            ['Remember the token', 'Remember it in VS Code’s secret storage'],
            ['Kubernetes context', context],
          ],
          onMessage: (kind, _text, _options, buttons) =>
            kind === 'showErrorMessage' && buttons.includes('Show Log') ? 'Show Log' : undefined,
        });
      } finally {
        if (saved === undefined) delete process.env.KUBECONFIG;
        else process.env.KUBECONFIG = saved;
        if (savedTmp === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = savedTmp;
      }
      assert.deepEqual(stub.remaining, []);

      const contexts = callsOf(stub, 'showQuickPick').find((c) => c.args[1].placeHolder.includes('Kubernetes context'));
      assert.deepEqual(contexts.args[0], ['unreachable', 'dangling'], 'the current context first');
      const errors = callsOf(stub, 'showErrorMessage');
      assert.equal(errors.length, 1);
      assert.match(errors[0].args[0], new RegExp(`^Bootstrap failed \\(${code}\\): `));
      assert.deepEqual(errors[0].args.slice(1), ['Show Log']);
      assert.equal(callsOf(stub, 'outputChannel.show').length, 1, '"Show Log" opens the channel');
      assert.match(outputText(stub), new RegExp(`✗ ${code}: `));
      assert.equal(callsOf(stub, 'showInformationMessage').length, 0);

      // Nothing written: no connection to the repository, no token stored, no setting changed,
      // no temporary folder left behind.
      assert.deepEqual(gitConnections, []);
      assert.equal(callsOf(stub, 'secrets.store').length, 0);
      assert.equal(stub.secretsStore.size, 0);
      assert.equal(callsOf(stub, 'configuration.update').length, 0);
      assert.deepEqual(await readdir(scratch), []);

      // The token went in through a password box and came out nowhere.
      const patBox = callsOf(stub, 'showInputBox').find((c) => c.args[0].prompt.includes('Personal Access Token'));
      assert.equal(patBox.args[0].password, true);
      const recorded = JSON.stringify(stub.calls);
      assert.ok(!recorded.includes(pat), 'the PAT is in no message, progress report or other call');
      assert.ok(!outputText(stub).includes(pat), 'the PAT is not in the output channel');
    });
  }
});

describe('the deploy key modal', () => {
  let modulePath;
  let work;
  before(async () => {
    // The modal is reachable end to end only with a dev.azure.com repository (its "Open Azure
    // DevOps SSH Keys" button needs Azure's page): its module alone is bundled for this test.
    const { build } = await import('esbuild');
    work = await mkdtemp(join(tmpdir(), 'flux-azdo-vscode-modal-'));
    modulePath = join(work, 'deploy-key.cjs');
    await build({
      entryPoints: [join(extensionDir, 'src', 'deploy-key.ts')],
      outfile: modulePath,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      external: ['vscode'],
      logLevel: 'warning',
    });
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const prompt = {
    publicKey: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDfakefakefake\n',
    fingerprint: 'SHA256:fakefakefakefakefakefakefakefakefakefakefak',
    addKeyUrl: 'https://dev.azure.com/contoso/_usersSettings/keys',
  };

  test('copies the key, opens the SSH keys page, and "I Added It" goes on', async () => {
    const choices = ['Copy Public Key', 'Open Azure DevOps SSH Keys', 'I Added It'];
    const stub = createVscodeStub({ onMessage: () => choices.shift() });
    const { confirmDeployKey } = loadExtension(modulePath, stub);
    assert.equal(await confirmDeployKey(prompt), true);
    const modals = callsOf(stub, 'showInformationMessage');
    assert.equal(modals.length, 3, 'shown again after each helper button');
    for (const m of modals) {
      assert.equal(m.args[1].modal, true);
      assert.ok(m.args[1].detail.startsWith(prompt.publicKey.trim()));
      assert.match(m.args[1].detail, new RegExp(prompt.fingerprint));
      assert.deepEqual(m.args.slice(2), ['Copy Public Key', 'Open Azure DevOps SSH Keys', 'I Added It']);
    }
    assert.deepEqual(
      callsOf(stub, 'clipboard.writeText').map((c) => c.args[0]),
      [prompt.publicKey.trim()],
    );
    assert.deepEqual(
      callsOf(stub, 'openExternal').map((c) => c.args[0]),
      [prompt.addKeyUrl],
    );
  });

  test('closing the modal (Cancel) answers false', async () => {
    const stub = createVscodeStub({ onMessage: () => undefined });
    const { confirmDeployKey } = loadExtension(modulePath, stub);
    assert.equal(await confirmDeployKey(prompt), false);
    assert.equal(callsOf(stub, 'showInformationMessage').length, 1);
  });
});

describe('the remembered PAT key', () => {
  let modulePath;
  let work;
  before(async () => {
    const { build } = await import('esbuild');
    work = await mkdtemp(join(tmpdir(), 'flux-azdo-vscode-credentials-'));
    modulePath = join(work, 'credentials.cjs');
    await build({
      entryPoints: [join(extensionDir, 'src', 'credentials.ts')],
      outfile: modulePath,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      external: ['vscode'],
      logLevel: 'warning',
    });
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  // How keys were made before the core gave `Repo.host`: PATs stored under them must still be found.
  const earlierKey = (repo) => {
    const host = new URL(repo.httpsUrl).host;
    return repo.organization ? `${host}/${repo.organization}` : host;
  };

  test('is the same string as before, for Services, visualstudio.com, Servers and other hosts', () => {
    const { organizationKey } = loadExtension(modulePath, createVscodeStub());
    const cases = [
      [AZURE_URL, 'dev.azure.com/contoso'],
      ['https://contoso@dev.azure.com/contoso/Platform/_git/fleet', 'dev.azure.com/contoso'],
      ['git@ssh.dev.azure.com:v3/contoso/Platform/fleet', 'dev.azure.com/contoso'],
      ['https://contoso.visualstudio.com/Platform/_git/fleet', 'dev.azure.com/contoso'],
      ['https://contoso.visualstudio.com/DefaultCollection/Platform/_git/fleet', 'dev.azure.com/contoso'],
      ['https://tfs.example.com:8443/tfs/DefaultCollection/Platform/_git/fleet', 'tfs.example.com:8443/tfs/DefaultCollection'],
      ['https://TFS.Example.com:443/DefaultCollection/Platform/_git/fleet', 'tfs.example.com/DefaultCollection'],
      ['http://tfs:8080/tfs/DefaultCollection/Platform/_git/fleet', 'tfs:8080/tfs/DefaultCollection'],
      ['ssh://tfs.example.com:22/DefaultCollection/Platform/_git/fleet', 'tfs.example.com/DefaultCollection'],
      ['https://[0:0:0:0:0:0:0:1]:8443/DefaultCollection/Platform/_git/fleet', '[::1]:8443/DefaultCollection'],
      ['https://git.example.com/team/fleet.git', 'git.example.com'],
    ];
    for (const [url, key] of cases) {
      const repo = fluxAzdo.parseRepoUrl(url);
      assert.equal(organizationKey(repo), key, url);
      assert.equal(organizationKey(repo), earlierKey(repo), url);
    }
  });
});

/** What VS Code would show for each opened URI: the registered provider's text. */
async function documentsOf(stub, uris) {
  const docs = [];
  for (const uri of uris) {
    const doc = await stub.vscode.workspace.openTextDocument(stub.vscode.Uri.parse(uri));
    docs.push({ text: doc.getText(), readOnly: doc.readOnly });
  }
  return docs;
}
