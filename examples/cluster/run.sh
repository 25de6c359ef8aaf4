#!/usr/bin/env bash
# A tusk cluster from the command line, on loopback: starts `tusk scheduler` on free
# ports, two `tusk worker`s with one thread each, waits until both are connected, runs
# compute.mjs against it (a groupby and an array sum, checked against the local thread
# pool and plain JavaScript), then stops workers and scheduler with SIGTERM. Fails if any
# step fails or a process does not stop cleanly. Needs the build (npm run build).
#   examples/cluster/run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
tusk=(node "$root/dist/cli.js")
[ -f "$root/dist/cli.js" ] || { echo "cluster example: no dist/cli.js; run npm run build first" >&2; exit 1; }

export TUSK_TOKEN="${TUSK_TOKEN:-$(node -e 'process.stdout.write(require("node:crypto").randomBytes(16).toString("hex"))')}"
logs="$(mktemp -d "${TMPDIR:-/tmp}/tusk-cluster-run-XXXXXX")"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for f in "$logs"/*.log; do echo "--- $f"; cat "$f"; done >&2
  fi
  rm -rf "$logs"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for FILE PATTERN SECONDS: until FILE has a line matching PATTERN (or fail).
wait_for() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    if grep -q "$2" "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "cluster example: gave up after $3 s waiting for \"$2\" in $1" >&2
  return 1
}

# 1. The scheduler, on any free ports; it prints its address and dashboard.
"${tusk[@]}" scheduler --port 0 --dashboard-port 0 >"$logs/scheduler.log" 2>&1 &
pids+=($!)
wait_for "$logs/scheduler.log" "dashboard at" 30
url="$(sed -n 's/^tusk scheduler listening at \(ws:[^ ]*\).*/\1/p' "$logs/scheduler.log")"
dashboard="$(sed -n 's/^tusk scheduler dashboard at \(http:[^ ]*\).*/\1/p' "$logs/scheduler.log")"
echo "scheduler at $url (dashboard $dashboard)"

# 2. Two workers with one thread each; the token comes from TUSK_TOKEN.
for n in 1 2; do
  "${tusk[@]}" worker "$url" --nthreads 1 --name "worker-$n" --memory-limit 1GB >"$logs/worker-$n.log" 2>&1 &
  pids+=($!)
done
for n in 1 2; do wait_for "$logs/worker-$n.log" "ready: connected" 30; done
echo "2 workers connected"

# 3. The computation, from a client process.
timeout 180 node "$root/examples/cluster/compute.mjs" "$url" "$dashboard" 2

# 4. Stop workers, then the scheduler; each must exit 0 within 20 s.
stop() {
  local pid=$1 name=$2 i
  kill -TERM "$pid"
  for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then echo "cluster example: $name did not stop within 20 s of SIGTERM" >&2; return 1; fi
  local rc=0
  wait "$pid" || rc=$?
  if [ "$rc" -ne 0 ]; then echo "cluster example: $name exited with $rc after SIGTERM" >&2; return 1; fi
}
stop "${pids[1]}" worker-1
stop "${pids[2]}" worker-2
stop "${pids[0]}" scheduler
pids=()
echo "cluster stopped cleanly"
