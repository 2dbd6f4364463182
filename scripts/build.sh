#!/usr/bin/env bash
# Builds the wasm core and the npm package (and the test harness binaries when present).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
node scripts/build-wasm.mjs
npm run build -w flux-azdo --silent
# The browser preview page (browser/dist); it embeds the cached Flux manifests when there are some.
npm run build -w flux-azdo-browser --silent
