#!/usr/bin/env bash
# Proves the interop peer itself is right before it is pointed at coopnet: starts two peers (A, B)
# on free loopback ports and runs selftest.py, which drives them through the control API only.
# Ends with 'N passed, N failed'; exit status 0 only when nothing failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$("$here/setup.sh" | tail -n1)"
logs="$(mktemp -d "${TMPDIR:-/tmp}/coopnet-interop-selftest.XXXXXX")"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() {
  "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_healthy() { # port pid
  for _ in $(seq 1 100); do
    if curl -fsS --max-time 2 "http://127.0.0.1:$1/control/health" >/dev/null 2>&1; then return 0; fi
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "peer on port $1 did not become healthy; its log:" >&2
  cat "$logs/peer-$1.log" >&2
  return 1
}

port_a="$(free_port)"
port_b="$(free_port)"
while [ "$port_b" = "$port_a" ]; do port_b="$(free_port)"; done

for port in "$port_a" "$port_b"; do
  "$py" "$here/peer.py" --port "$port" >"$logs/peer-$port.log" 2>&1 &
  pids+=("$!")
done
wait_healthy "$port_a" "${pids[0]}"
wait_healthy "$port_b" "${pids[1]}"

echo "peers: A=localhost:$port_a B=localhost:$port_b (logs in $logs)"
if "$py" "$here/selftest.py" "$port_a" "$port_b"; then
  rm -rf "$logs"
else
  status=$?
  echo "--- peer logs kept in $logs" >&2
  exit "$status"
fi
