#!/usr/bin/env bash
# Builds the wasm core, the npm package, the browser page and the VS Code extension's bundle
# (and the test harness binaries when present), and the Azure Pipelines task.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
node scripts/build-wasm.mjs
npm run build -w flux-azdo --silent
# The browser preview page (browser/dist); it embeds the cached Flux manifests when there are some.
npm run build -w flux-azdo-browser --silent
npm run build -w vscode-extension --silent
# The Azure Pipelines task (azure-pipelines-task/dist; `npm run package -w flux-azdo-azure-pipelines-task` makes the .vsix).
npm run build -w flux-azdo-azure-pipelines-task --silent
