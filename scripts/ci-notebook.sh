#!/usr/bin/env bash
# Runs the notebooks headlessly in the tslab kernel (TypeScript 5.0, CommonJS output, the
# old `node` resolver) against the built package, and fails on a failed cell, a missing
# expected output (cell metadata "expect") or any stderr:
#   test/notebook/import.ipynb          the package imports and computes from a cell
#   examples/notebooks/quickstart.ipynb the user-facing walkthrough (HTML reprs, progress
#                                       bar, groupby, arrays, LocalCluster)
# Adapted from ../shared/notebooks/ci-notebooks.sh.
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
for dir in test/notebook examples/notebooks; do
  mkdir -p "$root/$dir/node_modules"
  ln -sfn "$root" "$root/$dir/node_modules/tusk"
done

# 3. The tslab kernel (a devDependency) in a project-local Jupyter folder.
jupyter_dir="$root/test/notebook/.jupyter"
mkdir -p "$jupyter_dir/kernels/tslab"
cat > "$jupyter_dir/kernels/tslab/kernel.json" <<JSON
{"argv": ["$root/node_modules/.bin/tslab", "kernel", "--config-path", "{connection_file}"],
 "display_name": "TypeScript", "language": "typescript"}
JSON
export JUPYTER_PATH="$jupyter_dir"

# 4. Execute (kernel cwd = the notebook's folder); exit 1 on any failure, after running all.
status=0
for nb in test/notebook/import.ipynb examples/notebooks/quickstart.ipynb; do
  /usr/bin/python3 "$root/test/notebook/run_notebook.py" "$root/$nb" --timeout 180 || status=1
done
exit $status
