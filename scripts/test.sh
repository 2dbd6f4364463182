#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a fresh machine, as named steps (scripts/ci/<step>.sh):
#   bash scripts/test.sh              every step, in order (the README's test command; CI runs it)
#   bash scripts/test.sh lint rust    only those steps, in the order given
# A step assumes the ones before it in the list below have run at least once.
source "$(dirname "$0")/ci/lib.sh"

steps=(deps build harness rust lint node-unit e2e browser vscode vscode-real)

usage() {
  echo "usage: bash scripts/test.sh [step...]; steps: ${steps[*]}" >&2
  exit 2
}

selected=("$@")
[[ ${#selected[@]} -gt 0 ]] || selected=("${steps[@]}")
for step in "${selected[@]}"; do
  [[ " ${steps[*]} " == *" $step "* ]] || { echo "unknown step: $step" >&2; usage; }
done

if [[ -n "${UPDATE:-}" ]]; then
  echo "note: UPDATE=$UPDATE is set, so the rust step rewrites golden files instead of checking them"
fi

summary=()
for step in "${selected[@]}"; do
  printf '\n=== %s (scripts/ci/%s.sh)\n' "$step" "$step"
  start=$SECONDS
  if bash "scripts/ci/$step.sh"; then
    summary+=("$(printf '%-10s ok     %4ds' "$step" $((SECONDS - start)))")
    printf -- '--- %s: ok in %ds\n' "$step" $((SECONDS - start))
  else
    rc=$?
    printf -- '--- %s: FAILED (exit %d) after %ds\n' "$step" "$rc" $((SECONDS - start))
    exit "$rc"
  fi
done

printf '\n=== summary\n'
printf '%s\n' "${summary[@]}"
