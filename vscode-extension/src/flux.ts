/**
 * The one door to the `flux-azdo` package. The extension is CommonJS and the package is ESM, so it
 * is loaded with a dynamic `import()` (kept as such by TypeScript under `module: Node16`, and
 * resolved by esbuild into the bundle), once, on the first command. The public API carries the
 * core's decisions the extension needs (`defaults`, `parseRepoUrl`, `pushTarget`).
 */
export type FluxAzdoApi = typeof import('flux-azdo', { with: { 'resolution-mode': 'import' }});

let loading: Promise<FluxAzdoApi> | undefined;

export function loadFlux(): Promise<FluxAzdoApi> {
  loading ??= import('flux-azdo');
  return loading;
}
