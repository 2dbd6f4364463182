/**
 * What both commands ask first — repository, branch, path, how the cluster authenticates — as
 * steps, and the package options the answers make, with the settings folded in.
 */
import type { BootstrapOptions, Repo } from 'flux-azdo' with { 'resolution-mode': 'import' };

import type { Remembered } from './answers';
import type { FluxAzdoApi } from './flux';
import type { Step } from './multi-step';
import {
  authStep,
  branchStep,
  pathStep,
  repositoryStep,
  workloadIdentitySteps,
  type Answers,
  type AuthMethod,
  type WorkloadIdentityAnswer,
} from './prompts';
import type { Settings } from './settings';

export interface SyncTarget {
  repo: Repo;
  url: string;
  branch: string;
  path: string;
  auth: AuthMethod;
  /** With `auth: 'azure'`: the managed identity the controllers sync as. */
  workloadIdentity?: WorkloadIdentityAnswer;
}

/**
 * `offered`: the remembered answers, with the workspace's Azure DevOps remote as the URL when
 * none is remembered and `path` a folder the command was started on.
 */
export function syncTargetSteps(api: FluxAzdoApi, title: string, settings: Settings, answers: Answers, offered: Remembered): Step[] {
  const { branch: fluxBranch, secretName } = api.defaults().options;
  return [
    repositoryStep(api, title, answers, offered.url),
    branchStep(title, answers, offered.branch, fluxBranch),
    pathStep(title, answers, offered.path ?? settings.defaultPath),
    authStep(title, answers, offered.auth, secretName),
    ...workloadIdentitySteps(title, answers),
  ];
}

/** The answers as a SyncTarget once the steps ran (every field is set by then). */
export function syncTargetOf(answers: Answers): SyncTarget | undefined {
  const { repo, url, branch, path, auth, workloadClientId, workloadTenantId } = answers;
  if (!repo || url === undefined || branch === undefined || path === undefined || !auth) return undefined;
  if (auth === 'azure') {
    if (!workloadClientId || !workloadTenantId) return undefined;
    return { repo, url, branch, path, auth, workloadIdentity: { clientId: workloadClientId, tenantId: workloadTenantId } };
  }
  return { repo, url, branch, path, auth };
}

/**
 * Token auth pushes and syncs over HTTPS; SSH syncs over SSH and pushes the way the URL says;
 * workload identity syncs over HTTPS (no Secret) and pushes over HTTPS with the PAT.
 */
export function optionsFor(target: SyncTarget, settings: Settings): BootstrapOptions {
  const wi = target.auth === 'azure' ? target.workloadIdentity : undefined;
  return {
    url: target.auth === 'ssh' ? target.url : target.repo.httpsUrl,
    branch: target.branch,
    ...(target.path ? { path: target.path } : {}),
    tokenAuth: target.auth === 'token',
    ...(wi ? { provider: 'azure', workloadIdentityClientId: wi.clientId, workloadIdentityTenantId: wi.tenantId } : {}),
    // Azure DevOps (Services and Server) takes only RSA keys; the core picks RSA by itself only
    // for URLs it recognises, so a generated key is RSA whatever the host name looks like.
    ...(target.auth === 'ssh' ? { sshKeyAlgorithm: 'rsa' as const } : {}),
    ...(settings.manifests ? { manifests: settings.manifests } : {}),
    ...(settings.components ? { components: settings.components } : {}),
    ...(settings.componentsExtra.length > 0 ? { componentsExtra: settings.componentsExtra } : {}),
    ...(settings.registry ? { registry: settings.registry } : {}),
    ...(settings.version ? { version: settings.version } : {}),
    ...(settings.timeout ? { timeout: settings.timeout } : {}),
    ...(settings.caFile ? { caFile: settings.caFile } : {}),
  };
}

/** An HTTPS push needs the PAT; an SSH push uses the deploy key. The core decides which. */
export function needsPat(api: FluxAzdoApi, options: BootstrapOptions): boolean {
  return api.pushTarget({ url: options.url }).transport === 'https';
}
