/**
 * `flux-azdo check`: reads (never writes) what a bootstrapped cluster holds — the API server's
 * version, Flux's controllers, the sync GitRepository and Kustomization, the Git Secret's keys,
 * and with an Entra user token the PAT's expiry — and hands the facts to the core, which says
 * what is wrong and what to do. Secret values are read only to fingerprint a public key.
 */
import {
  defaults,
  evaluateCheck,
  parseRepoUrl,
  type CheckFacts,
  type CheckReport,
  type ComponentFact,
  type FluxObjectFact,
  type PatFact,
} from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { ignoreEvents, type EventHandler } from '../events.js';
import { connect, KNOWN_TYPES, resourcePath, type KubeClient } from '../kube/index.js';
import type { SecretValue } from '../secret-value.js';
import {
  gitRepositoryRef,
  readGitRepository,
  readSecret,
  readyCondition,
  type Condition,
  type GitRepositoryObject,
} from '../rotate/cluster.js';
import { publicKeyFingerprint } from '../rotate/run.js';
import { listPats, type PatToken } from './pat-lifecycle.js';

export interface CheckOptions {
  namespace?: string;
  /** The GitRepository and Kustomization (default: the namespace). */
  name?: string;
  /** `--warn-days` (default `defaults().patWarnDays`). */
  warnDays?: number;
  kubeconfig?: string;
  context?: string;
  /** Reads the PAT's expiry from the PAT lifecycle API; without it the expiry is reported unknown. */
  patLifecycle?: {
    /** A Microsoft Entra user token for Azure DevOps (`--azure-credential`), for the GitRepository's URL. */
    getToken: (gitUrl: string) => Promise<SecretValue>;
    /** `--pat-name`: the display name of the PAT in the Secret. */
    patName?: string;
    /** The organization (default: the GitRepository URL's). */
    organization?: string;
    /** The API's origin (default `https://vssps.dev.azure.com`) and extra CA (PEM). */
    baseUrl?: string;
    caPem?: string;
  };
  now?: () => number;
  signal?: AbortSignal;
}

export interface CheckResult extends CheckReport {
  namespace: string;
  kubernetesVersion: string;
  /** `app.kubernetes.io/version` of Flux's namespace. */
  fluxVersion: string | undefined;
  components: ComponentFact[];
  gitRepository: {
    ref: string;
    url: string | undefined;
    revision: string | undefined;
    /** When the artifact was last updated (the last fetch that changed something or the first). */
    lastFetch: string | undefined;
    ready: FluxObjectFact;
  };
  kustomization: { ref: string; lastAppliedRevision: string | undefined; ready: FluxObjectFact };
  /** The deploy key in use, when the cluster syncs over SSH. */
  sshKeyFingerprint?: string;
  /** The PAT as the lifecycle API lists it, when found. */
  pat?: { displayName: string; authorizationId: string; validTo: string; scope: string };
}

interface ObjectWithStatus {
  metadata?: { labels?: Record<string, string> };
  spec?: { suspend?: boolean };
  status?: { conditions?: Condition[]; lastAppliedRevision?: string; availableReplicas?: number };
}

interface DeploymentList {
  items?: {
    metadata: { name: string };
    spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
    status?: { availableReplicas?: number };
  }[];
}

export async function check(options: CheckOptions = {}, onEvent: EventHandler = ignoreEvents): Promise<CheckResult> {
  const flux = defaults();
  const namespace = options.namespace || flux.options.namespace;
  const name = options.name || namespace;
  const { signal } = options;
  onEvent({ type: 'step', step: 'check', message: `checking Flux in namespace ${namespace}` });
  const client = connect({ kubeconfig: options.kubeconfig, context: options.context });

  const version = await client.request<{ gitVersion?: string }>('GET', '/version', { signal, timeoutMs: 15_000 });
  if (version.status !== 200)
    throw new FluxAzdoError('KUBE_UNREACHABLE', `the API server ${client.server} did not answer GET /version (HTTP ${version.status})`);
  const kubernetesVersion = (version.body.gitVersion ?? '').replace(/^v/, '');
  const ns = await client.request<ObjectWithStatus>('GET', resourcePath(KNOWN_TYPES.Namespace, undefined, namespace), { signal });
  const components = await readComponents(client, namespace, ns.status === 200, signal);
  const repo = ns.status === 200 ? await readGitRepository(client, namespace, name, signal).catch(notInstalled) : undefined;
  const ks = ns.status === 200 ? await readObject(client, resourcePath(KNOWN_TYPES.Kustomization, namespace, name), signal) : undefined;
  const secretName = repo?.spec?.secretRef?.name ?? flux.options.secretName;
  const secret = ns.status === 200 ? await readSecret(client, namespace, secretName, signal) : undefined;
  const keys = Object.keys(secret?.data ?? {});
  const url = repo?.spec?.url;

  const usesPat = url !== undefined && repo?.spec?.provider !== 'azure' && (keys.includes('password') || keys.includes('bearerToken'));
  const { fact: pat, found } = usesPat ? await readPat(options, url) : { fact: {}, found: undefined };
  const facts: CheckFacts = {
    namespace,
    namespaceFound: ns.status === 200,
    kubernetesVersion,
    components,
    gitRepository: objectFact(repo),
    kustomization: objectFact(ks),
    credential: { url: url ?? '', provider: repo?.spec?.provider ?? '', secretKeys: keys },
    secretName,
    secretFound: secret !== undefined,
    pat,
    nowMs: (options.now ?? Date.now)(),
    warnDays: options.warnDays ?? flux.patWarnDays,
  };
  const report = evaluateCheck(facts);
  for (const f of report.findings) {
    onEvent({
      type: 'log',
      level: f.severity === 'info' ? 'info' : 'warn',
      message: `${f.subject}: ${f.message}${f.remedy ? ` → ${f.remedy}` : ''}`,
    });
  }
  const fingerprint = keys.includes('identity.pub')
    ? publicKeyFingerprint(Buffer.from(secret?.data?.['identity.pub'] ?? '', 'base64').toString('utf8'))
    : undefined;
  const result: CheckResult = {
    ...report,
    namespace,
    kubernetesVersion,
    fluxVersion: ns.status === 200 ? ns.body.metadata?.labels?.['app.kubernetes.io/version'] : undefined,
    components,
    gitRepository: {
      ref: gitRepositoryRef(namespace, name),
      url,
      revision: repo?.status?.artifact?.revision,
      lastFetch: repo?.status?.artifact?.lastUpdateTime,
      ready: facts.gitRepository ?? {},
    },
    kustomization: {
      ref: `Kustomization/${namespace}/${name}`,
      lastAppliedRevision: ks?.status?.lastAppliedRevision,
      ready: facts.kustomization ?? {},
    },
    ...(fingerprint && report.credential === 'ssh' ? { sshKeyFingerprint: fingerprint } : {}),
    ...(found
      ? { pat: { displayName: found.displayName, authorizationId: found.authorizationId, validTo: found.validTo, scope: found.scope } }
      : {}),
  };
  onEvent({ type: 'done', step: 'check', message: `check: ${report.status} (${report.findings.length} finding(s))` });
  return result;
}

/** Flux's CRDs missing (a half-installed cluster): the object is simply not there. */
function notInstalled(err: unknown): undefined {
  if (err instanceof FluxAzdoError && err.code === 'KUBE_REQUEST_FAILED') return undefined;
  throw err;
}

async function readObject(client: KubeClient, path: string, signal: AbortSignal | undefined): Promise<ObjectWithStatus | undefined> {
  const res = await client.request<ObjectWithStatus>('GET', path, { signal });
  return res.status === 200 ? res.body : undefined;
}

async function readComponents(
  client: KubeClient,
  namespace: string,
  exists: boolean,
  signal: AbortSignal | undefined,
): Promise<ComponentFact[]> {
  const list = exists
    ? await client.request<DeploymentList>(
        'GET',
        `${resourcePath(KNOWN_TYPES.Deployment, namespace)}?labelSelector=${encodeURIComponent('app.kubernetes.io/part-of=flux')}`,
        { signal },
      )
    : undefined;
  const items = list?.status === 200 ? (list.body.items ?? []) : [];
  // The core knows which controllers the sync needs and reports those missing.
  return items.map((d) => ({
    name: d.metadata.name,
    found: true,
    ready: (d.status?.availableReplicas ?? 0) >= 1,
    image: d.spec?.template?.spec?.containers?.[0]?.image ?? '',
  }));
}

function objectFact(obj: ObjectWithStatus | GitRepositoryObject | undefined): FluxObjectFact {
  if (!obj) return { found: false };
  const ready = readyCondition(obj as GitRepositoryObject);
  return {
    found: true,
    ready: ready?.status ?? '',
    reason: ready?.reason ?? '',
    message: ready?.message ?? '',
    suspended: obj.spec?.suspend === true,
  };
}

async function readPat(options: CheckOptions, url: string): Promise<{ fact: PatFact; found: PatToken | undefined }> {
  const lifecycle = options.patLifecycle;
  if (!lifecycle) {
    return {
      fact: { unavailable: 'no --azure-credential was given; the PAT lifecycle API needs a Microsoft Entra user token' },
      found: undefined,
    };
  }
  let organization = lifecycle.organization;
  if (!organization) {
    try {
      organization = parseRepoUrl(url).organization;
    } catch {
      organization = '';
    }
  }
  if (!organization) return { fact: { unavailable: `${url} names no Azure DevOps organization` }, found: undefined };
  if (!lifecycle.patName) {
    return {
      fact: {
        unavailable:
          "pass --pat-name with the PAT's display name: the lifecycle API never returns PAT values, and flux-azdo sends the PAT only to the Git endpoint",
      },
      found: undefined,
    };
  }
  try {
    const pats = await listPats({
      organization,
      token: await lifecycle.getToken(url),
      ...(lifecycle.baseUrl ? { baseUrl: lifecycle.baseUrl } : {}),
      ...(lifecycle.caPem ? { caPem: lifecycle.caPem } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const matches = pats.filter((p) => p.displayName === lifecycle.patName);
    if (matches.length === 0)
      return {
        fact: { unavailable: `none of your ${pats.length} PAT(s) in ${organization} is named ${JSON.stringify(lifecycle.patName)}` },
        found: undefined,
      };
    if (matches.length > 1)
      return {
        fact: { unavailable: `${matches.length} PATs are named ${JSON.stringify(lifecycle.patName)}; give them distinct names` },
        found: undefined,
      };
    const found = matches[0] as PatToken;
    const validToMs = Date.parse(found.validTo);
    if (Number.isNaN(validToMs))
      return { fact: { unavailable: `the API gave an unreadable validTo ${JSON.stringify(found.validTo)}` }, found };
    return { fact: { validToMs }, found };
  } catch (err) {
    if (!(err instanceof FluxAzdoError)) throw err;
    return { fact: { unavailable: err.message }, found: undefined };
  }
}
