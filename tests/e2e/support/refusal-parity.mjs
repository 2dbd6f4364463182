// Refusal parity with Flux: invalid option sets drawn for tests/e2e/oracle-refusals.test.mjs, and
// the one list of the places where flux-azdo deliberately decides otherwise than Flux
// (`EXCEPTIONS`, also linked from the README). Flux's side is its generators plus what
// `flux bootstrap git` checks, as tests/oracle/validate.go models it.

/**
 * Where flux-azdo and Flux v2.9.4 deliberately differ. `field`/`matches` say which drawn
 * mutation an entry covers; `flux` is what Flux does with it, flux-azdo does the opposite.
 */
export const EXCEPTIONS = [
  {
    id: 'azure-devops-url',
    field: 'url',
    matches: (v) => /dev\.azure\.com|visualstudio\.com|\/_git\b/.test(v),
    flux: 'accepts',
    why: 'Flux takes any URL and fails at clone time; flux-azdo checks the Azure DevOps URL forms up front (INVALID_URL names the form to use)',
  },
  {
    id: 'scp-url',
    field: 'url',
    matches: (v) => /^[^/:]+@[^/:]+:/.test(v),
    flux: 'refuses',
    why: "url.Parse refuses scp-style URLs (git@host:path), the form Azure DevOps' Clone button shows; flux-azdo reads them as ssh://",
  },
  {
    id: 'branch-check-ref-format',
    field: 'branch',
    matches: () => true,
    flux: 'accepts',
    why: 'Flux writes any --branch and fails later in go-git; flux-azdo refuses names `git check-ref-format --branch` refuses, before any push',
  },
  {
    id: 'interval-below-1ms',
    field: 'interval',
    matches: (v) => /^0+(\.0+)?(ns|us|µs|ms|s|m|h)?$/.test(v),
    flux: 'accepts',
    why: 'a zero interval passes the GitRepository CRD pattern; source-controller would then reconcile in a loop',
  },
  {
    id: 'path-outside-repository',
    field: 'path',
    matches: (v) => v.split('/').includes('..') || v.startsWith('/'),
    flux: 'accepts',
    why: "Flux's secure join clamps ../ and / to the repository root silently; flux-azdo refuses a --path that leaves the repository",
  },
  {
    id: 'encrypted-pkcs8',
    field: 'private-key-file',
    matches: () => true,
    flux: 'refuses',
    why: 'x/crypto/ssh cannot read encrypted PKCS#8; flux-azdo decrypts it with --password and writes the unencrypted PKCS#8 Flux would write',
  },
  {
    id: 'sync-ref-empty',
    field: 'branch',
    matches: (v) => v === '',
    flux: 'accepts',
    why: "Flux's sync generator writes `ref: {}` (source-controller then clones master); flux-azdo requires a branch, tag, semver or commit",
  },
  {
    id: 'provider-aws',
    field: 'provider',
    matches: (v) => v === 'aws',
    flux: 'accepts',
    why: "the GitRepository CRD's provider enum has aws (AWS CodeCommit IAM credentials); flux-azdo offers generic, azure and github, as no AWS credential reaches an Azure DevOps repository",
  },
  {
    id: 'provider-azure-secret-ref',
    field: 'provider',
    matches: () => false,
    flux: 'output',
    why: "with provider: azure Flux's sync generator still writes secretRef; flux-azdo leaves it out (no Secret exists under workload identity)",
  },
];

/** The exception covering a disagreement, or undefined. */
export function exceptionFor(field, value, fluxRefused) {
  return EXCEPTIONS.find((e) => e.field === field && e.flux === (fluxRefused ? 'refuses' : 'accepts') && e.matches(String(value)));
}

/** One invalid (or borderline) value per field; each case mutates one field of a valid case. */
export const MUTATIONS = [
  ['namespace', (r) => r.pick(['Flux', 'flux_system', '-ns', 'ns-', 'a'.repeat(64), 'x.y', 'yes', 'on', 'null', ''])],
  ['logLevel', (r) => r.pick(['warn', 'trace', 'Info', 'ERROR', 'debug '])],
  ['interval', (r) => r.pick(['1x', '5', 'm', '1m-', '0s', '0', '500us', '1ns', '-1m', '1h-5m', ' 1m'])],
  ['components', (r) => r.pick(['no-source', 'no-kustomize', 'unknown', 'capitalised'])],
  [
    'url',
    (r) =>
      r.pick([
        'ftp://dev.azure.com/org/project/_git/repo',
        'http://git.example.com/org/repo.git',
        'git@git.example.org:org/repo.git',
        'https://dev.azure.com/org/_git',
        'https://dev.azure.com/org/project/_git/',
        '://nothing',
        'file:///tmp/repo.git',
      ]),
  ],
  ['secretName', (r) => r.pick(['Flux', 'a_b', '-x', 'x-', 'a'.repeat(254), 'x..y'])],
  ['provider', (r) => r.pick(['aws', 'gitlab', 'Azure', 'GENERIC'])],
  ['branch', (r) => r.pick(['a b', 'x..y', 'feature/', '-x', 'a.lock', 'x~1', 'x^', 'a:b'])],
  ['path', (r) => r.pick(['../x', '../../', '/abs/path', 'a/../../b'])],
];

/** `c` with `field` set to the drawn `value` (components mutations edit the component lists). */
export function mutate(c, field, value) {
  if (field !== 'components') return { ...c, [field]: value, ...(field === 'url' ? { allowInsecureHttp: false } : {}) };
  const all = [...c.components, ...c.componentsExtra];
  const edited = {
    'no-source': all.filter((x) => x !== 'source-controller'),
    'no-kustomize': all.filter((x) => x !== 'kustomize-controller'),
    unknown: [...all, 'foo-controller'],
    capitalised: all.map((x) => (x === 'source-controller' ? 'Source-Controller' : x)),
  }[value];
  return { ...c, components: edited, componentsExtra: [] };
}
