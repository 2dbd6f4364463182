/**
 * What both commands ask first — repository, branch, path, how the cluster authenticates — and
 * the package options it makes, with the settings folded in.
 */
import type { BootstrapOptions, Repo } from 'flux-azdo' with { 'resolution-mode': 'import' };

import type { FluxAzdoApi } from './flux';
import { askAuth, askBranch, askPath, askRepository, type AuthMethod } from './prompts';
import type { Settings } from './settings';

export interface SyncTarget {
  repo: Repo;
  url: string;
  branch: string;
  path: string;
  auth: AuthMethod;
}

export async function askSyncTarget(api: FluxAzdoApi, title: string, settings: Settings): Promise<SyncTarget | undefined> {
  const repository = await askRepository(api, title);
  if (!repository) return undefined;
  const { branch: fluxBranch, secretName } = api.defaults().options;
  const branch = await askBranch(title, fluxBranch);
  if (branch === undefined) return undefined;
  const path = await askPath(title, settings.defaultPath);
  if (path === undefined) return undefined;
  const auth = await askAuth(title, secretName);
  if (!auth) return undefined;
  return { repo: repository.repo, url: repository.url, branch, path, auth };
}

/** Token auth pushes and syncs over HTTPS; SSH syncs over SSH and pushes the way the URL says. */
export function optionsFor(target: SyncTarget, settings: Settings): BootstrapOptions {
  return {
    url: target.auth === 'token' ? target.repo.httpsUrl : target.url,
    branch: target.branch,
    ...(target.path ? { path: target.path } : {}),
    tokenAuth: target.auth === 'token',
    // Azure DevOps (Services and Server) takes only RSA keys; the core picks RSA by itself only
    // for URLs it recognises, so a generated key is RSA whatever the host name looks like.
    ...(target.auth === 'ssh' ? { sshKeyAlgorithm: 'rsa' as const } : {}),
    ...(settings.manifests ? { manifests: settings.manifests } : {}),
    ...(settings.componentsExtra.length > 0 ? { componentsExtra: settings.componentsExtra } : {}),
    ...(settings.caFile ? { caFile: settings.caFile } : {}),
  };
}

/** An HTTPS push needs the PAT; an SSH push uses the deploy key. The core decides which. */
export function needsPat(api: FluxAzdoApi, options: BootstrapOptions): boolean {
  return api.pushTarget({ url: options.url }).transport === 'https';
}
