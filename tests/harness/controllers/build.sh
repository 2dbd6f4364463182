#!/usr/bin/env bash
# Builds Flux's source-controller and kustomize-controller (the versions Flux v2.9.4 ships) from
# their Go modules, each through its own wrapper module here, into the test-binary cache outside
# the checkout:
#   $HOME/.cache/flux-azdo/testbin/flux-controllers-<version>/{source-controller,kustomize-controller}
# Prints that directory. Idempotent: a controller is rebuilt only when its wrapper changed.
#
# Cold build on the 2-core machine: several minutes per controller (see the report in the
# project notes); warm: a fraction of a second.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="v1.9.4"
out_dir="${FLUX_AZDO_TESTBIN_CACHE:-$HOME/.cache/flux-azdo/testbin}/flux-controllers-${version}"
mkdir -p "$out_dir"

for controller in source-controller kustomize-controller; do
  wrapper="$here/$controller"
  pinned="$(awk -v m="github.com/fluxcd/$controller" '$1==m {print $2}' "$wrapper/go.mod")"
  if [[ "$pinned" != "$version" ]]; then
    echo "build.sh: $wrapper/go.mod pins $controller $pinned, expected $version" >&2
    exit 1
  fi
  bin="$out_dir/$controller"
  stamp="$out_dir/.$controller.source-sha256"
  sum="$(cat "$wrapper/go.mod" "$wrapper/go.sum" | sha256sum | cut -d' ' -f1)"
  if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then
    continue
  fi
  echo "build.sh: building $controller $version (cold builds take minutes)" >&2
  # -mod=readonly: go.sum is committed; a build must never rewrite it.
  (cd "$wrapper" && CGO_ENABLED=0 go build -mod=readonly -trimpath -ldflags "-s -w" -o "$bin.tmp" "github.com/fluxcd/$controller")
  mv "$bin.tmp" "$bin"
  echo "$sum" > "$stamp"
done
echo "$out_dir"
