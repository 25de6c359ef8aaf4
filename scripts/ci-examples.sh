#!/usr/bin/env bash
# Runs every example on small data and fails if any fails or runs too long:
#   examples/quickstart.mjs       the `npm start` job on a 100k-row sample
#   examples/danfo-twin/run.mjs   the danfo.js script and its tusk twin agree (100k rows)
#   examples/cluster/run.sh       tusk scheduler + 2 workers from the CLI, compute, stop
#   examples/zarr-array.mjs       Zarr round trip, per-axis moments, matMul reduction
#   scripts/ci-examples.sh            # builds first (npm run build)
#   TUSK_SKIP_BUILD=1 scripts/ci-examples.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ "${TUSK_SKIP_BUILD:-}" = 1 ] || npm run build
scratch="$(mktemp -d "${TMPDIR:-/tmp}/tusk-ci-examples-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

failed=()
# example NAME SECONDS COMMAND...: runs one example with a time limit.
example() {
  local name=$1 limit=$2 t0=$SECONDS rc=0
  shift 2
  echo "::: $name"
  timeout --kill-after=10 "$limit" "$@" || rc=$?
  if [ "$rc" -eq 0 ]; then echo "::: $name passed in $((SECONDS - t0)) s"
  else
    [ "$rc" -eq 124 ] && echo "::: $name timed out after $limit s" >&2
    echo "::: $name FAILED (exit $rc) after $((SECONDS - t0)) s" >&2
    failed+=("$name")
  fi
}

example quickstart 120 env TUSK_SAMPLE="$scratch/taxi-sample.csv" TUSK_SAMPLE_ROWS=100000 node examples/quickstart.mjs
example danfo-twin 180 node examples/danfo-twin/run.mjs 100000
example cluster 180 examples/cluster/run.sh
example zarr-array 120 node examples/zarr-array.mjs

if [ "${#failed[@]}" -gt 0 ]; then
  echo "examples failed: ${failed[*]}" >&2
  exit 1
fi
echo "all examples passed in $SECONDS s"
