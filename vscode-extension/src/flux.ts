/**
 * The one door to the `flux-azdo` package. The extension is CommonJS and the package is ESM, so it
 * is loaded with a dynamic `import()` (kept as such by TypeScript under `module: Node16`, and
 * resolved by esbuild into the bundle), once, on the first command: the public API, and the
 * typed core for the decisions the API leaves to it (how a push goes).
 */
export type FluxAzdoApi = typeof import('flux-azdo', { with: { 'resolution-mode': 'import' }});
export type FluxAzdoCore = typeof import('flux-azdo/core', { with: { 'resolution-mode': 'import' }});

let loading: Promise<FluxAzdoApi> | undefined;
let loadingCore: Promise<FluxAzdoCore> | undefined;

export function loadFlux(): Promise<FluxAzdoApi> {
  loading ??= import('flux-azdo');
  return loading;
}

export function loadCore(): Promise<FluxAzdoCore> {
  loadingCore ??= import('flux-azdo/core');
  return loadingCore;
}
