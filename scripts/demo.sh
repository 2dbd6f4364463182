#!/usr/bin/env bash
# Sets everything up and runs the main job on an embedded default: the repository files that
# `flux-azdo bootstrap git` would commit for an Azure DevOps repo, written to ./flux-azdo-demo
# (no credentials, no Git server, no cluster needed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/install-deps.sh >/dev/null
bash scripts/build.sh >/dev/null
manifests_flag=()
# Flux's release bundle is downloaded into the cache; where there is no access to GitHub, Flux's
# reference files beside the checkout serve instead (resolved as the tests resolve them:
# FLUX_REFERENCE, or ../shared/flux/<version>). A FLUX_REFERENCE that is set must be right.
if reference="$(node tests/support/flux-reference.mjs 2>/dev/null)"; then
  manifests_flag=(--manifests "$reference/manifests")
elif [ -n "${FLUX_REFERENCE:-}" ]; then
  node tests/support/flux-reference.mjs >/dev/null
fi
out="${1:-$root/flux-azdo-demo}"
node npm/dist/cli/main.js bootstrap git \
  --url=https://dev.azure.com/my-org/my-project/_git/my-repo \
  --token-auth --branch=main --path=clusters/my-cluster \
  --export "$out" "${manifests_flag[@]}"
find "$out" -type f | sort
