#!/bin/bash
# Alternates PeerBench --round-trips-only between builds, one run each per round, so that every build sees the same
# machine load (issue 13). Each spec is NAME=PATH/Drogulus.PeerBench.dll, optionally followed by @AKKA-SETTINGS (passed
# as BENCH_AKKA). Writes OUTDIR/NAME-ROUND.json, .log and .load (the 1-minute load average at the start).
#   bash alternate.sh OUTDIR ROUNDS base=/tmp/base/Drogulus.PeerBench.dll final=/tmp/final/Drogulus.PeerBench.dll
#   python3 summarize.py OUTDIR
out=$1; rounds=$2; shift 2
mkdir -p "$out"
for r in $(seq 1 "$rounds"); do
  for spec in "$@"; do
    name=${spec%%=*}; rest=${spec#*=}; dll=${rest%%@*}; akka=""; [[ "$rest" == *@* ]] && akka=${rest#*@}
    load=$(cut -d' ' -f1 /proc/loadavg)
    BENCH_AKKA="$akka" dotnet "$dll" --round-trips-only --runs 1 --seconds 3 --json "$out/$name-$r.json" > "$out/$name-$r.log" 2>&1
    echo "$name $r load $load"
    echo "$load" > "$out/$name-$r.load"
  done
done
