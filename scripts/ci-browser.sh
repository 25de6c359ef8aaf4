#!/usr/bin/env bash
# The browser tests: the cluster dashboard in headless Debian chromium, driven by
# playwright-core (test/browser, vitest.browser.config.ts). Installs chromium from Debian
# when /usr/bin/chromium is missing. In CI the screenshot goes to a temporary folder so
# the tree stays clean; locally it refreshes docs/images/dashboard.png.
#   scripts/ci-browser.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export DEBIAN_FRONTEND=noninteractive

if [ ! -x /usr/bin/chromium ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends chromium
fi

if [ -n "${CI:-}" ] && [ -z "${TUSK_DASHBOARD_SCREENSHOT:-}" ]; then
  out="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tusk-browser"
  mkdir -p "$out"
  export TUSK_DASHBOARD_SCREENSHOT="$out/dashboard.png"
fi

npx vitest run --config vitest.browser.config.ts
[ -z "${TUSK_DASHBOARD_SCREENSHOT:-}" ] || echo "dashboard screenshot: $TUSK_DASHBOARD_SCREENSHOT"
