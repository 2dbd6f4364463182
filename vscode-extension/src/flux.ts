/**
 * The one door to the `flux-azdo` package. The extension is CommonJS and the package is ESM, so it
 * is loaded with a dynamic `import()` (kept as such by TypeScript under `module: Node16`, and
 * resolved by esbuild into the bundle), once, on the first command.
 */
import type { Repo } from 'flux-azdo' with { 'resolution-mode': 'import' };

export type FluxAzdoApi = typeof import('flux-azdo', { with: { 'resolution-mode': 'import' } });
type FluxAzdoCore = typeof import('flux-azdo/core', { with: { 'resolution-mode': 'import' } });

export interface Flux {
  api: FluxAzdoApi;
  /** Parses a repository URL with the core; throws `FluxAzdoError` `INVALID_URL`. */
  parseRepoUrl(url: string): Repo;
}

let loading: Promise<Flux> | undefined;

export function loadFlux(): Promise<Flux> {
  loading ??= (async () => {
    const [api, core]: [FluxAzdoApi, FluxAzdoCore] = await Promise.all([import('flux-azdo'), import('flux-azdo/core')]);
    return {
      api,
      parseRepoUrl: (url: string) => core.callCore(() => core.wasm.parseRepoUrl(url) as Repo),
    };
  })();
  return loading;
}

/** `dev.azure.com/<organization>`: the key a remembered PAT is stored under. */
export function organizationKey(repo: Repo): string {
  const host = new URL(repo.httpsUrl).host;
  return repo.organization ? `${host}/${repo.organization}` : host;
}
