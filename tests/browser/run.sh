#!/usr/bin/env bash
# Real-browser tests: Debian's Chromium (/usr/bin/chromium) driven by playwright-core, run by
# Node's built-in test runner. Each test file starts its own coopnet instance (or the
# four-network demo) from a temp dir on free ports and stops it at the end.
#
#   tests/browser/run.sh                      # every *.test.mjs
#   tests/browser/run.sh search.test.mjs      # some of them
#   SCREENSHOT_DIR=/tmp/shots tests/browser/run.sh
#
# Needs: chromium (apt-get install chromium), Node.js 20 or newer, and playwright-core, which
# this script installs with `npm ci` when tests/browser/node_modules lacks it (no browser is
# ever downloaded). Builds the workspace first so that the coopnet binary is current.
set -euo pipefail
cd "$(dirname "$0")/../.."

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  {
    echo "error: the browser tests need Debian's Chromium at $chromium, which is missing."
    echo "       Install it with:  apt-get install chromium"
    echo "       (or skip the browser tests explicitly: COOPNET_SKIP_BROWSER=1 scripts/test)"
  } >&2
  exit 1
fi
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "error: the browser tests need Node.js 20 or newer (node --test); install nodejs and npm" >&2
  exit 1
fi

pinned="$(node -p 'require("./tests/browser/package.json").devDependencies["playwright-core"]')"
installed="$(node -p 'try { require("./tests/browser/node_modules/playwright-core/package.json").version } catch { "" }')"
if [ "$installed" != "$pinned" ]; then
  echo "== npm ci --prefix tests/browser (playwright-core $pinned)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/browser --no-audit --no-fund
fi

echo "== cargo build --workspace (the coopnet binary under test)"
cargo build --workspace --locked
target_dir="$(cargo metadata --format-version 1 --no-deps --locked | node -e \
  'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')"
export COOPNET_BIN="$target_dir/debug/coopnet"
export CHROMIUM="$chromium"
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$PWD/tests/browser/screenshots}"

# The test files record the pid of every coopnet they start here; whatever a crashed test
# process left running is killed at the end, by pid, after checking it is still that binary.
COOPNET_BROWSER_PIDS="$(mktemp)"
export COOPNET_BROWSER_PIDS
cleanup() {
  while read -r pid; do
    [ -n "$pid" ] || continue
    if [ -r "/proc/$pid/cmdline" ] && [ "$(tr '\0' '\n' <"/proc/$pid/cmdline" | head -n1)" = "$COOPNET_BIN" ]; then
      echo "note: stopping leftover coopnet (pid $pid)" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done <"$COOPNET_BROWSER_PIDS"
  rm -f "$COOPNET_BROWSER_PIDS"
}
trap cleanup EXIT

echo "== browser tests: $("$chromium" --version 2>/dev/null), playwright-core $pinned, node $(node --version)"
cd tests/browser
if [ "$#" -eq 0 ]; then set -- *.test.mjs; fi
node --test --test-timeout=600000 "$@"
