#!/usr/bin/env bash
# The VS Code extension: its commands against a stub of the vscode API, its .vsix, a bootstrap.
source "$(dirname "$0")/lib.sh"
mapfile -t files < <(find tests/e2e -name "$VSCODE_E2E" | sort)
run_node_tests "${files[@]}"
