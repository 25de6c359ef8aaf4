#!/usr/bin/env bash
# Checks that the built package imports from a Jupyter notebook cell in the tslab kernel
# (TypeScript 5.0, CommonJS output, the old `node` resolver): runs
# test/notebook/import.ipynb headlessly and fails on a failed cell, a missing expected
# output or any stderr. Adapted from ../shared/notebooks/ci-notebooks.sh.
#   scripts/ci-notebook.sh            # builds first (npm run build)
#   TUSK_SKIP_BUILD=1 scripts/ci-notebook.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export DEBIAN_FRONTEND=noninteractive

# 1. Jupyter's client side from Debian (Debian's /usr/bin/python3; PyPI is not needed).
if ! /usr/bin/python3 -c 'import nbclient' 2>/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends python3-nbclient
fi

# 2. The package as a user gets it: the build, resolved by name from the notebook's folder.
[ "${TUSK_SKIP_BUILD:-}" = 1 ] || npm run build
nbdir="$root/test/notebook"
mkdir -p "$nbdir/node_modules"
ln -sfn "$root" "$nbdir/node_modules/tusk"

# 3. The tslab kernel (a devDependency) in a notebook-local Jupyter folder.
mkdir -p "$nbdir/.jupyter/kernels/tslab"
cat > "$nbdir/.jupyter/kernels/tslab/kernel.json" <<JSON
{"argv": ["$root/node_modules/.bin/tslab", "kernel", "--config-path", "{connection_file}"],
 "display_name": "TypeScript", "language": "typescript"}
JSON
export JUPYTER_PATH="$nbdir/.jupyter"

# 4. Execute (kernel cwd = the notebook's folder); exit 1 on any failure.
/usr/bin/python3 "$nbdir/run_notebook.py" "$nbdir/import.ipynb" --timeout 180
