#!/usr/bin/env bash
# The Rust workspace: formatting, clippy with warnings as errors, and its tests.
source "$(dirname "$0")/lib.sh"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets --all-features -- -D warnings
cargo test --locked --workspace --all-features
