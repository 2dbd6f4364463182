#!/usr/bin/env bash
# Builds the Flux generator oracle (tests/oracle) into the test-binary cache, outside the checkout:
#   $HOME/.cache/flux-azdo/testbin/oracle-<flux version>/oracle
# Prints the binary's path. Idempotent: skips the build when the sources are unchanged.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
flux_version="$(awk '$1=="github.com/fluxcd/flux2/v2" {print $2}' "$here/go.mod")"
out_dir="${FLUX_AZDO_TESTBIN_CACHE:-$HOME/.cache/flux-azdo/testbin}/oracle-${flux_version}"
bin="$out_dir/oracle"
stamp="$out_dir/.source-sha256"

source_sum="$(cat "$here/go.mod" "$here/go.sum" "$here"/*.go | sha256sum | cut -d' ' -f1)"
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$source_sum" ]]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$out_dir"
cd "$here"
# -mod=readonly: go.sum is committed; a build must never rewrite it.
CGO_ENABLED=0 go build -mod=readonly -trimpath -ldflags "-s -w" -o "$bin.tmp" .
mv "$bin.tmp" "$bin"
echo "$source_sum" > "$stamp"
echo "$bin"
