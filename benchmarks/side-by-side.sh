#!/usr/bin/env bash
# Side-by-side benchmark (issue 13): the peer DHTs' scripts in ../shared/bench/peers (or $PEERS_DIR) and
# Drogulus.PeerBench, one after the other at the same N, each inside a fresh network namespace with only
# loopback (the peers' run-in-netns.sh). Prints one table: each system's figures, then per column our
# figure divided by the best peer's (below 1 is better for times, messages and memory; above 1 for gets/s).
#   usage: bash benchmarks/side-by-side.sh                 # N=100, 300 values, bittorrent-dht + hyperdht
#          SIZES="100 200" bash benchmarks/side-by-side.sh
#          PEERS="btdht hyperdht opendht" bash benchmarks/side-by-side.sh   # OpenDHT too (N processes, slow)
#          PROCESSES="200:4 500:8" (the default) spreads our N nodes over P processes at the sizes it names
#          (PeerBench --processes P: each process its own descriptor limit, as when every node is a process);
#          other sizes run in one process; PROCESSES="" runs every size in one process.
#          JOIN_CONCURRENCY="500:16" (the default) joins our nodes 16 at a time at the sizes it names (PeerBench
#          --join-concurrency; one at a time, 500 nodes took longer than RUN_TIMEOUT); other sizes one at a time.
# Needs: node + npm (the peers' setup.sh installs their packages under /tmp when missing), .NET 10, root or
# unprivileged user namespaces. Every run has a wall-clock cap (RUN_TIMEOUT seconds, default 580), so the
# whole script takes at most (number of peers + 1) × RUN_TIMEOUT per size; typically 1-3 min per size.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
PEERS_DIR="${PEERS_DIR:-$(cd "$REPO/.." && pwd)/shared/bench/peers}"
[ -d "$PEERS_DIR" ] || PEERS_DIR=/work/shared/bench/peers
SIZES="${SIZES:-100}"
VALUES="${VALUES:-300}"
PEERS="${PEERS:-btdht hyperdht}"
RUN_TIMEOUT="${RUN_TIMEOUT:-580}"
PROCESSES="${PROCESSES-200:4 500:8}"
JOIN_CONCURRENCY="${JOIN_CONCURRENCY-500:16}"
OUT="${OUT:-${TMPDIR:-/tmp}/side-by-side-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
NETNS="$PEERS_DIR/run-in-netns.sh"

if [ ! -d /tmp/pb-npm/node_modules/bittorrent-dht ] || [ ! -d /tmp/pb-npm-hyper/node_modules/hyperdht ] \
   || { [[ " $PEERS " == *" opendht "* ]] && ! command -v dhtnode >/dev/null; }; then
  echo "installing the peers (setup.sh)"
  bash "$PEERS_DIR/setup.sh" > "$OUT/setup.log" 2>&1 || { echo "setup.sh failed, see $OUT/setup.log"; exit 1; }
fi

dotnet build "$REPO/benchmarks/Drogulus.PeerBench" -c Release > "$OUT/build.log" 2>&1 \
  || { echo "build failed, see $OUT/build.log"; exit 1; }
DLL="$REPO/benchmarks/Drogulus.PeerBench/bin/Release/net10.0/Drogulus.PeerBench.dll"

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT"
for n in $SIZES; do
  for peer in $PEERS; do
    case "$peer" in
      btdht)    cmd=(node --expose-gc "$PEERS_DIR/btdht-bench.mjs") ;;
      hyperdht) cmd=(node --expose-gc "$PEERS_DIR/hyperdht-bench.cjs") ;;
      opendht)  cmd=(/usr/bin/python3 "$PEERS_DIR/opendht-bench.py") ;;
      *) echo "unknown peer $peer"; continue ;;
    esac
    echo "running $peer at $n nodes"
    NODES=$n VALUES=$VALUES MAX_SECONDS=$((RUN_TIMEOUT - 20)) BOOTSTRAP="${BOOTSTRAP:-spread}" SETTLE_S="${SETTLE_S:-30}" \
      OUT_JSON="$OUT/$peer-$n.json" timeout "$RUN_TIMEOUT" "$NETNS" "${cmd[@]}" > "$OUT/$peer-$n.log" 2>&1 \
      || echo "  $peer at $n nodes failed (exit $?), see $OUT/$peer-$n.log"
  done
  procs=1
  for pair in $PROCESSES; do [ "${pair%%:*}" = "$n" ] && procs="${pair##*:}"; done
  joins=1
  for pair in $JOIN_CONCURRENCY; do [ "${pair%%:*}" = "$n" ] && joins="${pair##*:}"; done
  echo "running drogulus at $n nodes in $procs process(es), joining $joins at a time"
  timeout "$RUN_TIMEOUT" "$NETNS" dotnet "$DLL" --nodes "$n" --processes "$procs" --join-concurrency "$joins" --values "$VALUES" --json "$OUT/drogulus-$n.json" \
    > "$OUT/drogulus-$n.log" 2>&1 || echo "  drogulus at $n nodes failed (exit $?), see $OUT/drogulus-$n.log"
  python3 "$HERE/side-by-side-table.py" "$OUT" "$n" $PEERS | tee "$OUT/table-$n.md"
done
