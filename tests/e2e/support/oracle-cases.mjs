// Random bootstrap option sets for the differential test against Flux's own generators: every
// set is one a user could pass to `flux bootstrap git` (and to flux-azdo), built from a seeded
// PRNG so a failing run can be replayed with its seed.

/** mulberry32: small, fast, good enough to pick test cases; same seed, same cases. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  const chance = (p) => next() < p;
  const subset = (list, p = 0.5) => list.filter(() => chance(p));
  const shuffle = (list) => {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
  return { next, int, pick, chance, subset, shuffle };
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = `${LOWER}0123456789`;

// Names YAML 1.1 or 1.2 would read as something else than a string (booleans, null, numbers,
// dates): Flux's YAML writer must quote them, and so must ours.
const YAML_TRICKY = [
  'yes',
  'no',
  'on',
  'off',
  'true',
  'null',
  'y',
  'n',
  '123',
  '1e3',
  '0x1f',
  '0o17',
  '1.0',
  '2024-01-01',
  '.inf',
  '0755',
  '1_000',
  '12:30',
];

function dnsLabel(r, max = 20) {
  const len = 1 + r.int(max);
  let s = r.pick([...LOWER]);
  for (let i = 1; i < len; i++) s += r.pick([...(i === len - 1 ? ALNUM : `${ALNUM}--`)]);
  return s;
}

function namespace(r) {
  // A namespace is written bare into Flux's kustomization template: it must start with a letter
  // and not be a YAML word, else Flux's kustomize build fails (flux-azdo refuses it up front).
  const ns = r.chance(0.4) ? r.pick(['flux-system', 'flux', 'gitops', 'flux-ci', 'x']) : dnsLabel(r);
  return ['yes', 'no', 'on', 'off', 'y', 'n', 'true', 'false', 'null'].includes(ns) ? `${ns}-ns` : ns;
}

function secretName(r) {
  if (r.chance(0.5)) return 'flux-system';
  if (r.chance(0.3)) return r.pick(YAML_TRICKY.filter((w) => /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(w)));
  return r.chance(0.5) ? dnsLabel(r) : `${dnsLabel(r, 8)}.${dnsLabel(r, 8)}`;
}

function components(r) {
  const required = ['source-controller', 'kustomize-controller'];
  const optional = r.subset(['helm-controller', 'notification-controller'], 0.6);
  const extra = r.subset(['image-reflector-controller', 'image-automation-controller', 'source-watcher'], 0.3);
  if (r.chance(0.7)) {
    // The usual shape: --components in Flux's order, extras in --components-extra.
    const order = ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'];
    return { components: order.filter((c) => required.includes(c) || optional.includes(c)), componentsExtra: extra };
  }
  // Any order, extras anywhere: Flux installs them in the order given.
  const all = r.shuffle([...required, ...optional, ...extra]);
  const cut = 1 + r.int(all.length);
  return { components: all.slice(0, cut), componentsExtra: all.slice(cut) };
}

function interval(r) {
  if (r.chance(0.4)) return '1m';
  return r.pick([
    '30s',
    '90s',
    '5m',
    '10m0s',
    '1h',
    '1h30m',
    '2h45m10s',
    '1.5h',
    '0.5m',
    '500ms',
    '1500ms',
    '1m30s',
    '3600s',
    '24h',
    '100h',
    '1h0m0s',
    '2.25s',
    '1ms',
    `${1 + r.int(600)}s`,
    `${1 + r.int(120)}m`,
    `${1 + r.int(48)}h${r.int(60)}m`,
    `${r.int(10)}.${r.int(1000)}s`,
  ]);
}

function branch(r) {
  if (r.chance(0.4)) return 'main';
  return r.pick([
    'master',
    'develop',
    'release/v1.2',
    'feature/x_y',
    'users/alice/fix-1',
    'v2.9.4',
    'dev-1',
    'a.b',
    'RELEASE',
    'flux@home',
    'hotfix+1',
    ...YAML_TRICKY.filter((w) => !w.includes(':')),
  ]);
}

function targetPath(r) {
  if (r.chance(0.25)) return '';
  const seg = () => r.pick(['clusters', 'my-cluster', 'prod', 'dev', 'infra', 'eu_west', 'cluster.1', 'a', 'Z9', 'yes', '123', 'x y']);
  const parts = Array.from({ length: 1 + r.int(3) }, seg);
  const clean = parts.join('/');
  // Ways users write the same path; both tools clean them.
  return r.pick([clean, clean, `./${clean}`, `${clean}/`, parts.join('//'), `${parts[0]}/./${parts.slice(1).join('/')}`, `x/../${clean}`]);
}

function repoUrl(r) {
  const org = r.pick(['contoso', 'fabrikam', 'my-org', 'org1']);
  const project = r.pick(['project', 'Platform', 'My Project', 'p-1', 'infra.team']);
  const repo = r.pick(['fleet', 'fleet-infra', 'gitops.config', 'repo_1', 'Fleet Repo']);
  const enc = encodeURIComponent;
  return r.pick([
    `https://dev.azure.com/${org}/${enc(project)}/_git/${enc(repo)}`,
    `https://${org}@dev.azure.com/${org}/${enc(project)}/_git/${enc(repo)}`,
    `https://${org}.visualstudio.com/${enc(project)}/_git/${enc(repo)}`,
    `https://${org}.visualstudio.com/DefaultCollection/${enc(project)}/_git/${enc(repo)}`,
    `git@ssh.dev.azure.com:v3/${org}/${enc(project)}/${enc(repo)}`,
    `ssh://git@ssh.dev.azure.com/v3/${org}/${enc(project)}/${enc(repo)}`,
    `https://tfs.example.com/DefaultCollection/${enc(project)}/_git/${enc(repo)}`,
    `https://git.example.com/${org}/${enc(repo)}.git`,
    `ssh://git@git.example.com:2222/${org}/${enc(repo)}.git`,
    `git@git.example.org:${org}/${enc(repo)}.git`,
    `http://127.0.0.1:8080/${org}/${enc(repo)}.git`,
  ]);
}

/** One random option set in flux-azdo's plan form (camelCase flags). */
export function randomCase(r) {
  const url = repoUrl(r);
  const tokenAuth = r.chance(0.5);
  return {
    url,
    branch: branch(r),
    path: targetPath(r),
    interval: interval(r),
    tokenAuth,
    withBearerToken: tokenAuth && r.chance(0.15),
    username: 'git',
    sshHostname: !tokenAuth && r.chance(0.1) ? r.pick(['ssh.example.net', 'ssh.example.net:2022']) : '',
    sshHostkeyAlgos: [],
    allowInsecureHttp: url.startsWith('http://'),
    secretName: secretName(r),
    recurseSubmodules: r.chance(0.3),
    sparseCheckout: r.chance(0.3) ? r.subset(['clusters', 'infra/base', 'apps', 'apps/', './platform', 'x y', 'a.b/c_d'], 0.5) : [],
    provider: r.chance(0.1) ? r.pick(['generic', 'github']) : '',
    version: 'v2.9.4',
    namespace: namespace(r),
    ...components(r),
    registry: r.chance(0.5)
      ? 'ghcr.io/fluxcd'
      : r.pick(['', 'docker.io/fluxcd', 'registry.example.com:5000/flux', 'my.registry/a/b', 'localhost:5000', 'acr1.azurecr.io/fluxcd']),
    imagePullSecret: r.chance(0.7) ? '' : r.pick(['regcred', 'pull-secret-1', 'acr', 'yes']),
    watchAllNamespaces: r.chance(0.7),
    networkPolicy: r.chance(0.7),
    logLevel: r.pick(['info', 'info', 'debug', 'error']),
    clusterDomain: r.chance(0.6) ? 'cluster.local' : r.pick(['example.org', 'k8s.internal', 'cluster.local.', 'c1.corp-net.example']),
    tolerationKeys: r.chance(0.6)
      ? []
      : r.subset(['node.kubernetes.io/not-ready', 'dedicated', 'CriticalAddonsOnly', 'example.com/gpu', 'key_1', 'null'], 0.4),
    ...workloadIdentity(r, url, tokenAuth),
    ...(r.chance(0.3) ? { existingKustomization: existingKustomization(r) } : {}),
  };
}

/**
 * A tag, semver range or commit for the sync generator (`flux bootstrap git` has no flag for
 * them, nor has flux-azdo's CLI, so only the generators are compared). Any mix: Flux's generator
 * writes every one given, source-controller picks.
 */
export function randomRef(r) {
  const ref = { tag: '', semver: '', commit: '' };
  if (r.chance(0.5)) ref.tag = r.pick(['v1.0.0', 'v2.9.4', 'release-1', 'yes', '1.0', 'v1.0.0-rc.1+build.5']);
  if (r.chance(0.4)) ref.semver = r.pick(['1.x', '>=1.0.0', '>=1.0.0 <2.0.0', '~1.2', '^0.3', '*', '1.2.3']);
  if (r.chance(0.4)) ref.commit = Array.from({ length: 40 }, () => r.pick([...'0123456789abcdef'])).join('');
  if (!ref.tag && !ref.semver && !ref.commit) ref.tag = 'v0.1.0';
  return ref;
}

/**
 * An existing `<path>/<namespace>/kustomization.yaml` in a layout kustomize accepts: comments
 * anywhere, indented or column-0 lists, flow style, `patches` and `patchesStrategicMerge`. Flux
 * keeps such a file as it is; flux-azdo keeps it too, and adds its patches keeping every byte.
 */
function existingKustomization(r) {
  const comment = () => (r.chance(0.4) ? `# ${r.pick(['managed by flux', 'do not remove', 'resources: - x', 'patches:'])}\n` : '');
  const indent = r.pick(['', '  ', '    ']);
  const indented = (text) => (text === '' ? '' : `${indent}${text}`);
  const list = (key, items, flow = false) => {
    if (flow && r.chance(0.25)) return `${key}: [${items.join(', ')}]\n`;
    return `${key}:\n${items.map((item) => `${indented(comment())}${indent}- ${item}\n`).join('')}`;
  };
  const patch = `patch: |\n${indent}    apiVersion: apps/v1\n${indent}    kind: Deployment\n${indent}    metadata:\n${indent}      name: all\n${indent}    spec:\n${indent}      template:\n${indent}        metadata:\n${indent}          annotations:\n${indent}            cluster-autoscaler.kubernetes.io/safe-to-evict: "true"\n${indent}  target:\n${indent}    kind: Deployment`;
  let text = `${comment()}apiVersion: kustomize.config.k8s.io/v1beta1\n${comment()}kind: Kustomization\n`;
  text += list('resources', ['gotk-components.yaml', 'gotk-sync.yaml'], true);
  if (r.chance(0.4)) text += `${comment()}${list('patches', [patch])}`;
  if (r.chance(0.2)) text += `patchesStrategicMerge: []\n`;
  if (r.chance(0.2)) text += `${comment()}labels:\n${indent}- pairs:\n${indent}    toolkit.fluxcd.io/tenant: platform\n`;
  return text + (r.chance(0.2) ? '# the end\n' : '');
}

/**
 * `--provider=azure` for some Azure DevOps URLs (the only ones it fetches), with the managed
 * identity it needs; Flux's sync generator gets the same provider.
 */
function workloadIdentity(r, url, tokenAuth) {
  const azureDevOps = /dev\.azure\.com|visualstudio\.com|\/_git\/|ssh\.dev\.azure\.com/.test(url) && !url.startsWith('http://');
  if (!azureDevOps || !r.chance(0.2)) return {};
  const guid = () => [8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, () => r.pick([...'0123456789abcdef'])).join('')).join('-');
  return {
    provider: 'azure',
    // --with-bearer-token is refused with --provider=azure (the token comes from Entra ID).
    withBearerToken: false,
    tokenAuth,
    workloadIdentityClientId: guid(),
    workloadIdentityTenantId: r.chance(0.7) ? guid() : '',
  };
}

/**
 * Flux's gotk-sync.yaml as flux-azdo writes it for `--provider=azure`: Flux's sync generator
 * always writes `secretRef`, flux-azdo leaves it out (no Secret exists; source-controller would
 * fail reading a missing one). Everything else must be byte-identical.
 */
export function withoutSecretRef(content) {
  return content.replace(/\n {2}secretRef:\n {4}name: [^\n]*/, '');
}

/** The install options of a plan case (flux-azdo's InstallOptions). */
export function installOptionsOf(c) {
  return {
    version: c.version,
    namespace: c.namespace,
    components: c.components,
    componentsExtra: c.componentsExtra,
    registry: c.registry,
    imagePullSecret: c.imagePullSecret,
    watchAllNamespaces: c.watchAllNamespaces,
    networkPolicy: c.networkPolicy,
    logLevel: c.logLevel,
    clusterDomain: c.clusterDomain,
    tolerationKeys: c.tolerationKeys,
    targetPath: c.path,
  };
}

/**
 * The sync options of a plan case (flux-azdo's SyncOptions) for the given final sync URL; `ref`
 * (see randomRef) adds a tag, semver or commit, and may drop the branch.
 */
export function syncOptionsOf(c, syncUrl, ref = { tag: '', semver: '', commit: '' }, branch = c.branch) {
  return {
    url: syncUrl,
    namespace: c.namespace,
    branch,
    tag: ref.tag,
    semver: ref.semver,
    commit: ref.commit,
    interval: c.interval,
    secretName: c.secretName,
    targetPath: c.path,
    recurseSubmodules: c.recurseSubmodules,
    sparseCheckout: c.sparseCheckout,
    provider: c.provider,
  };
}

/** The oracle request for the same case: Flux's bootstrap passes one component list. */
export function oracleRequestOf(id, c, syncUrl) {
  const install = installOptionsOf(c);
  const { componentsExtra, ...fluxInstall } = install;
  fluxInstall.components = [...install.components, ...componentsExtra];
  return {
    id,
    install: fluxInstall,
    sync: syncOptionsOf(c, syncUrl),
    kustomization: {
      namespace: c.namespace,
      targetPath: c.path,
      ...(c.existingKustomization === undefined ? {} : { files: { 'kustomization.yaml': c.existingKustomization } }),
    },
  };
}
