#!/usr/bin/env bash
# A network of drogulus-node processes in network namespaces joined by an emulated switch (vde_switch, one
# wirefilter per host for delay, jitter, loss and bandwidth); see README "A test network in namespaces".
#   testbed/run.sh join|churn|partition|abuse|memory|latency|slow-quarter|lossy|nat|small|impaired|all [options]
#   testbed/run.sh cleanup      removes namespaces, processes and temp dirs left by an earlier run
# Exit code: 0 pass, 1 fail, 77 skipped (no network namespaces: not root or no `ip netns`; or no TAP
# device /dev/net/tun), 130 interrupted. Installs vde2 and vde-wirefilter (and nftables for nat) with apt-get when missing.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"

# The driver cleans up after itself (also on Ctrl-C, SIGTERM and its deadline). Should it die without
# doing so (kill -9, a crash), remove what runs whose driver is gone left behind: their processes, by pid,
# and their namespaces.
cleanup() {
  if [ "$(id -u)" = 0 ] && [ "${1:-}" != cleanup ]; then
    "$py" -m drogtb cleanup >/dev/null 2>&1 || true
  fi
}
trap 'cleanup "${1:-}"' EXIT
"$py" -m drogtb "$@" &
child=$!
# Ctrl-C or SIGTERM to this script reaches the driver, which cleans up and exits 130; wait for it.
trap 'kill -INT "$child" 2>/dev/null' INT
trap 'kill -TERM "$child" 2>/dev/null' TERM
rc=0
while :; do
  wait "$child"; rc=$?
  kill -0 "$child" 2>/dev/null || break
done
exit "$rc"
