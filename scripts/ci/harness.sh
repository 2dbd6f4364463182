#!/usr/bin/env bash
# The end-to-end tests' servers, built from the Go module proxy and cached under
# ~/.cache/flux-azdo (a warm run only checks they exist): kube-apiserver and etcd, Flux's
# generator oracle, and source-/kustomize-controller v1.9.4.
source "$(dirname "$0")/lib.sh"
bash tests/harness/build.sh
bash tests/oracle/build.sh
bash tests/harness/controllers/build.sh
