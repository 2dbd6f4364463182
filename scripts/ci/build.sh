#!/usr/bin/env bash
# The wasm core, the npm package, the browser page and the VS Code extension's bundle.
source "$(dirname "$0")/lib.sh"
# CI has no access to GitHub: the package must carry Flux's bundle (scripts/build.sh feeds it from
# the reference files beside the checkout), or the build fails instead of shipping without one.
export FLUX_AZDO_REQUIRE_BUNDLE=1
bash scripts/build.sh
