#!/usr/bin/env bash
# Installs everything flux-azdo's build and tests need, from package registries only.
# Idempotent: a warm machine passes through in seconds.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# The one source of the version is Cargo.toml's `wasm-bindgen = "=X"` pin.
WASM_BINDGEN_VERSION="$(node scripts/wasm-bindgen-version.mjs)"
TOOLS="${FLUX_AZDO_TOOLS:-$HOME/.cache/flux-azdo/tools}"

need_apt=()

command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || need_apt+=(openssh-server)
[ -x /usr/lib/git-core/git-http-backend ] || need_apt+=(git)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v tmux >/dev/null || need_apt+=(tmux)
command -v unzip >/dev/null || need_apt+=(unzip)  # the VS Code extension's .vsix test
# code-server (tests/vscode-real/install.sh): kerberos builds against gssapi; ripgrep stands in
# for @vscode/ripgrep's GitHub download.
[ -f /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
command -v rg >/dev/null || need_apt+=(ripgrep)
command -v make >/dev/null || need_apt+=(make)
command -v g++ >/dev/null || need_apt+=(g++)
command -v python3 >/dev/null || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "apt: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

rustup target add wasm32-unknown-unknown >/dev/null
if [ ! -x "$TOOLS/wasm-bindgen-$WASM_BINDGEN_VERSION/bin/wasm-bindgen" ]; then
  echo "cargo: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 minutes, once per machine)"
  # Not --locked: its lockfile pins a webpki-roots release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$TOOLS/wasm-bindgen-$WASM_BINDGEN_VERSION" --quiet
fi

npm ci --no-audit --no-fund --loglevel=error
