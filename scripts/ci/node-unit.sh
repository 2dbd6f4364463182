#!/usr/bin/env bash
# The Node unit tests of the npm package and the browser page (no servers, no browser).
source "$(dirname "$0")/lib.sh"
mapfile -t files < <(find npm/test browser/test -name '*.test.mjs' | sort)
run_node_tests "${files[@]}"
