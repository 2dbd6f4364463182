#!/usr/bin/env bash
# The preview page in headless chromium (Debian's /usr/bin/chromium through playwright-core).
source "$(dirname "$0")/lib.sh"
mapfile -t files < <(find tests/e2e -name "$BROWSER_E2E" | sort)
run_node_tests "${files[@]}"
