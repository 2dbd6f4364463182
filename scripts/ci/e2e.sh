#!/usr/bin/env bash
# The end-to-end tests against real servers (Git over HTTPS and SSH, kube-apiserver, Flux's
# controllers, the generator oracle), except the browser's and the VS Code extension's own steps.
source "$(dirname "$0")/lib.sh"
# The differential test against Flux's generator draws random option sets: CI runs the pinned seed (a
# repeatable run) and a fresh one the test prints (new cases each run, any failure replayable).
export ORACLE_SEED="${ORACLE_SEED:-20261127,fresh}"
echo "ORACLE_SEED=$ORACLE_SEED"
mapfile -t files < <(find tests/e2e -name '*.test.mjs' ! -name "$BROWSER_E2E" ! -name "$VSCODE_E2E" | sort)
run_node_tests "${files[@]}"
