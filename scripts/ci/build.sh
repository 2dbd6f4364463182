#!/usr/bin/env bash
# The wasm core, the npm package, the browser page and the VS Code extension's bundle.
source "$(dirname "$0")/lib.sh"
bash scripts/build.sh
