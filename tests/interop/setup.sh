#!/usr/bin/env bash
# Makes the Python venv the interop peer (peer.py) runs in, and prints its python on the last line.
#
#   PY=$(tests/interop/setup.sh | tail -n1)      # then: "$PY" tests/interop/peer.py --port P
#
# The venv is ${COOPNET_INTEROP_VENV:-/var/tmp/coopnet-interop-venv}. It is (re)built when it is
# missing, broken, or was built from another requirements.txt (a hash of that file is kept inside
# it); otherwise this only checks and returns at once. Safe to run from parallel tests: a lock
# file serialises builders. Progress goes to stderr, only the python path to stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${COOPNET_INTEROP_VENV:-/var/tmp/coopnet-interop-venv}"
requirements="$here/requirements.txt"
python_bin="${COOPNET_INTEROP_PYTHON:-python3}"
py="$venv/bin/python"
stamp="$venv/.coopnet-requirements.sha256"

want="$(sha256sum "$requirements" | cut -d' ' -f1)"

ready() {
  [ -x "$py" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
    && "$py" -c '' >/dev/null 2>&1
}

if ! ready; then
  mkdir -p "$(dirname "$venv")"
  exec 9>"$venv.lock"
  flock 9
  if ! ready; then # another process may have built it while we waited for the lock
    echo "interop setup: building venv $venv from $requirements" >&2
    if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "interop setup: $python_bin is older than Python 3.11 (bovine needs 3.11+)" >&2
      exit 1
    fi
    rm -rf "$venv"
    "$python_bin" -m venv "$venv" >&2
    "$py" -m pip install --disable-pip-version-check --no-input --quiet -r "$requirements" >&2
    "$py" -c 'import bovine, aiohttp' >&2
    echo "$want" >"$stamp"
    echo "interop setup: done" >&2
  fi
  flock -u 9
fi

echo "$py"
