#!/usr/bin/env bash
# Builds the test control plane (kube-apiserver, kubectl, etcd) from the Go module proxy into
# $HOME/.cache/flux-azdo/testbin/<versions>/ and prints that directory on stdout.
# Warm runs only check that the binaries exist. Never writes into the checkout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
k8s_mod="$here/gomod/k8s"
etcd_mod="$here/gomod/etcd"

# The versions come from the wrapper go.mod files, so bumping them there is the only edit needed.
k8s_version="$(awk '$1=="k8s.io/kubernetes" {print $2; exit}' "$k8s_mod/go.mod")"
etcd_version="$(awk '$1=="go.etcd.io/etcd/server/v3" {print $2; exit}' "$etcd_mod/go.mod")"
if [[ -z "$k8s_version" || -z "$etcd_version" ]]; then
  echo "build.sh: cannot read pinned versions from $k8s_mod/go.mod or $etcd_mod/go.mod" >&2
  exit 1
fi

cache_root="${FLUX_AZDO_TESTBIN_CACHE:-$HOME/.cache/flux-azdo/testbin}"
bin_dir="$cache_root/k8s-$k8s_version-etcd-$etcd_version"

have_all() {
  [[ -x "$bin_dir/kube-apiserver" && -x "$bin_dir/kubectl" && -x "$bin_dir/etcd" ]]
}

if have_all; then
  echo "$bin_dir"
  exit 0
fi

mkdir -p "$bin_dir"
# Parallel test runs may call this at once; one builds, the others wait.
exec 9>"$bin_dir.lock"
flock 9
if have_all; then
  echo "$bin_dir"
  exit 0
fi

export CGO_ENABLED=0
# -mod=readonly: the wrapper go.sum files are complete (checked with `go list -deps` of every
# package built here, GOPROXY=off), so a build must never rewrite them in the checkout.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly"
export GOTOOLCHAIN=local

minor="${k8s_version#v1.}"; minor="${minor%%.*}"
version_ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  version_ldflags+=" -X $pkg.gitTreeState=clean"
done

build() { # <module dir> <output name> <package> <ldflags>
  local out="$bin_dir/$2"
  [[ -x "$out" ]] && return 0
  echo "build.sh: building $2 ($3)" >&2
  (cd "$1" && go build -trimpath -ldflags "-s -w$4" -o "$out.tmp" "$3")
  mv "$out.tmp" "$out"
}

build "$etcd_mod" etcd go.etcd.io/etcd/server/v3 ""
build "$k8s_mod" kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$version_ldflags"
build "$k8s_mod" kubectl k8s.io/kubernetes/cmd/kubectl "$version_ldflags"

echo "$bin_dir"
