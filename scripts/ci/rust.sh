#!/usr/bin/env bash
# The Rust workspace: formatting, clippy with warnings as errors, and its tests.
source "$(dirname "$0")/lib.sh"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets --all-features -- -D warnings

# Property tests run on seeds, like the oracle: PROPTEST_SEEDS is a comma list of whole numbers
# or `fresh` (a new seed, printed). The first seed runs the whole workspace; every further seed
# reruns the test targets that hold properties. A failure names its seed: replay it with
#   PROPTEST_RNG_SEED=<seed> cargo test --locked -p flux-azdo-core --all-features
# (proptest itself ignores a PROPTEST_RNG_SEED it cannot parse, so a bad seed is refused here).
IFS=',' read -r -a proptest_seeds <<< "${PROPTEST_SEEDS:-20261127,fresh}"
[[ ${#proptest_seeds[@]} -gt 0 ]] || { echo "PROPTEST_SEEDS is empty" >&2; exit 2; }
property_targets=(--lib --test azure_url --test install_props --test kustomization --test sync --test yaml_writer)
first=1
for seed in "${proptest_seeds[@]}"; do
  if [[ "$seed" == fresh ]]; then
    seed=$(( (RANDOM << 30) | (RANDOM << 15) | RANDOM ))
  elif ! [[ "$seed" =~ ^[0-9]{1,19}$ ]]; then
    echo "PROPTEST_SEEDS: '$seed' is refused: each seed must be a whole number or 'fresh'" >&2
    exit 2
  fi
  echo "proptest seed: $seed (replay: PROPTEST_RNG_SEED=$seed cargo test --locked -p flux-azdo-core --all-features)"
  if [[ $first -eq 1 ]]; then
    PROPTEST_RNG_SEED="$seed" cargo test --locked --workspace --all-features
    first=0
  else
    PROPTEST_RNG_SEED="$seed" cargo test --locked -p flux-azdo-core --all-features "${property_targets[@]}"
  fi
done
