#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a fresh machine: installs what is missing, builds,
# lints, and runs the Rust, Node, end-to-end and browser tests against real local servers.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
section() { printf '\n=== %s\n' "$*"; }

section "install dependencies"
bash scripts/install-deps.sh

section "build"
bash scripts/build.sh
section "build the test control plane (kube-apiserver, etcd; cached under ~/.cache/flux-azdo)"
bash tests/harness/build.sh
section "build Flux's generator oracle and source/kustomize-controller v1.9.4 (cached under ~/.cache/flux-azdo)"
bash tests/oracle/build.sh
bash tests/harness/controllers/build.sh

section "rust: fmt, clippy, tests"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets --all-features -- -D warnings
cargo test --locked --workspace --all-features

section "typescript: lint"
npm run lint --silent

section "node: unit, end-to-end and browser tests"
# The differential test against Flux's generator draws random option sets; CI pins the seed so a
# run is repeatable (run it with another ORACLE_SEED, or none, to explore).
export ORACLE_SEED="${ORACLE_SEED:-20261127}"
# One test file at a time: the end-to-end files start real servers and the machine has 2 cores.
mapfile -t files < <(find npm/test browser/test tests/e2e -name '*.test.mjs' 2>/dev/null | sort)
node --test --test-concurrency=1 "${files[@]}"
