#!/usr/bin/env bash
# TypeScript: eslint and tsc of the three workspaces, and the formatter's check.
source "$(dirname "$0")/lib.sh"
npm run lint --silent
# The formatter check. FLUX_AZDO_FORMAT_CHECK=0 skips it (loudly), for a tree that has not had
# `npm run format` applied yet; anything else, or unset, runs it.
if [[ "${FLUX_AZDO_FORMAT_CHECK:-1}" == 0 ]]; then
  echo "format check SKIPPED (FLUX_AZDO_FORMAT_CHECK=0); run 'npm run format:check' to see what differs"
else
  npm run format:check --silent
fi
