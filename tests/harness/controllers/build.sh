#!/usr/bin/env bash
# Builds Flux's controllers (the versions Flux v2.9.4's bundle ships) from their Go modules, each
# through its own wrapper module here, into the test-binary cache outside the checkout:
#   $HOME/.cache/flux-azdo/testbin/flux-controllers-flux-v2.9.4/<controller>
# The directory names the Flux release the set comes from, since the four controllers carry
# different versions. Prints that directory. Idempotent: a controller is rebuilt only when its
# wrapper changed (a stamp holds the sha256 of its go.mod and go.sum).
#
# Cold build on the 2-core machine (empty GOCACHE, modules already downloaded; CPU = user+sys):
# see tests/harness/README.md. Warm: a fraction of a second.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
flux_release="v2.9.4"
# controller=version, as in ../shared/flux/v2.9.4/manifests/<controller>.yaml's image tag.
controllers=(
  source-controller=v1.9.4
  kustomize-controller=v1.9.4
  helm-controller=v1.6.3
  notification-controller=v1.9.3
)
out_dir="${FLUX_AZDO_TESTBIN_CACHE:-$HOME/.cache/flux-azdo/testbin}/flux-controllers-flux-${flux_release}"
mkdir -p "$out_dir"

for entry in "${controllers[@]}"; do
  controller="${entry%%=*}"
  version="${entry#*=}"
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
