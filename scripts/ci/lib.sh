# Shared by scripts/test.sh and every step in scripts/ci/: sourced, never run.
# Each step is a plain script (`bash scripts/ci/lint.sh`) that assumes the steps before it in
# scripts/test.sh have run at least once (deps for node_modules, build for the wasm and dist/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

# UPDATE=1 makes the Rust tests rewrite their golden files instead of comparing against them; a
# CI run that rewrites what it checks would pass whatever the code does.
if [[ -n "${UPDATE:-}" && -n "${CI:-}" ]]; then
  echo "UPDATE=$UPDATE is set together with CI=$CI: refusing to rewrite golden files in CI (unset UPDATE)" >&2
  exit 2
fi

# The end-to-end files that have their own step; the e2e step runs every other tests/e2e file, so
# the steps' file sets cannot overlap or miss one.
BROWSER_E2E='browser.test.mjs'
VSCODE_E2E='vscode-extension*.test.mjs'

# A hang fails instead of holding the step until the CI job's own limit. Node 20 applies
# --test-timeout to each test file as a whole (it names the file; the tests reported before it
# passed), later releases (nodejs/node#57672) to each test without a timeout of its own. 15 min is well above the slowest
# file today (flux-controllers.test.mjs: 4 real-controller runs, each allowed 600 s, a few minutes
# together) and above every test's own limit.
NODE_TEST_TIMEOUT_MS=900000

# Runs the given test files one at a time (the end-to-end files start real servers and the
# machine may have 2 cores). No files is an error: `node --test` alone would fall back to its own
# discovery and run whatever it finds.
run_node_tests() {
  if [[ $# -eq 0 ]]; then
    echo "no test files found for this step" >&2
    exit 1
  fi
  printf 'test files:\n'
  printf '  %s\n' "$@"
  node --test --test-concurrency=1 --test-timeout="$NODE_TEST_TIMEOUT_MS" "$@"
}
