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
# The package carries Flux's bundle when it was built with one (scripts/build.sh feeds it from
# FLUX_MANIFESTS, the download cache or the reference files beside the checkout): then the command
# below runs on it, with no flag and no download. Only a package built without one falls back to
# the reference files (FLUX_REFERENCE, or ../shared/flux/<version>; a FLUX_REFERENCE that is set
# must be right), else the CLI downloads the bundle.
if [ ! -f npm/bundle/manifests.json ]; then
  if reference="$(node tests/support/flux-reference.mjs 2>/dev/null)"; then
    manifests_flag=(--manifests "$reference/manifests")
  elif [ -n "${FLUX_REFERENCE:-}" ]; then
    node tests/support/flux-reference.mjs >/dev/null
  fi
fi
out="${1:-$root/flux-azdo-demo}"
node npm/dist/cli/main.js bootstrap git \
  --url=https://dev.azure.com/my-org/my-project/_git/my-repo \
  --token-auth --branch=main --path=clusters/my-cluster \
  --export "$out" "${manifests_flag[@]}"
find "$out" -type f | sort
