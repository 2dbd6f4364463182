#!/usr/bin/env bash
# Installs what the build and the tests need (system packages, the wasm target, wasm-bindgen-cli,
# node_modules), from package registries only.
source "$(dirname "$0")/lib.sh"
bash scripts/install-deps.sh
