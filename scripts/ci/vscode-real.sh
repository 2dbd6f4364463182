#!/usr/bin/env bash
# The extension inside a real VS Code: code-server 4.100.3 (Code 1.100.3, the oldest engines.vscode
# accepts) and 4.117.0 (Code 1.117.0), installed once per machine under ~/.cache/flux-azdo/code-server,
# driven in headless chromium against the real servers and Flux's controllers.
# FLUX_AZDO_CODE_SERVER=4.117.0 narrows it to one build.
source "$(dirname "$0")/lib.sh"
bash tests/vscode-real/install.sh
mapfile -t files < <(find tests/vscode-real -name '*.test.mjs' | sort)
run_node_tests "${files[@]}"
