#!/usr/bin/env bash
# A network of drogulus-node processes in network namespaces (see README "A test network in namespaces").
#   testbed/run.sh join|churn|partition|abuse|memory|small|all [options]   (--help for the options)
#   testbed/run.sh cleanup      removes namespaces, processes and temp dirs left by an earlier run
# Exit code: 0 pass, 1 fail, 77 skipped (not root, or no `ip netns`), 130 interrupted.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py=/usr/bin/python3
[ -x "$py" ] || py=python3

PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" exec "$py" -m drogtb "$@"
