#!/usr/bin/env bash
# Builds the wasm core, the npm package, the browser page and the VS Code extension's bundle
# (and the test harness binaries when present), and the Azure Pipelines task.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
node scripts/build-wasm.mjs
# The package carries Flux's manifests bundle for the core's Flux version (npm/scripts/
# embed-bundle.mjs: FLUX_MANIFESTS, else the download cache). On a machine that has neither and
# no access to GitHub (CI), Flux's reference files beside the checkout serve, resolved as the
# tests resolve them (FLUX_REFERENCE, relative to the checkout, or ../shared/flux/<version>).
if [[ -z "${FLUX_MANIFESTS:-}" ]]; then
  version="$(node --input-type=module -e "
    import { readFileSync } from 'node:fs';
    import * as core from './npm/wasm/flux_azdo_wasm.js';
    core.initSync({ module: readFileSync('npm/wasm/flux_azdo_wasm_bg.wasm') });
    console.log(core.fluxVersion());")"
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/flux-azdo/manifests/$version/manifests.tar.gz"
  reference="${FLUX_REFERENCE:-../shared/flux/$version}"
  if [[ ! -f "$cache" && -d "$reference/manifests" ]]; then
    export FLUX_MANIFESTS="$reference/manifests"
  fi
fi
npm run build -w flux-azdo --silent
# The browser preview page (browser/dist) and the VS Code bundle carry the package's Flux bundle.
npm run build -w flux-azdo-browser --silent
npm run build -w vscode-extension --silent
# The Azure Pipelines task (azure-pipelines-task/dist; `npm run package -w flux-azdo-azure-pipelines-task` makes the .vsix).
npm run build -w flux-azdo-azure-pipelines-task --silent
