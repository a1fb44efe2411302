#!/bin/bash
# Row 3 (handshake flood) before / after / after with the rate lifted; each under the shared benchmark lock.
set -u
cd /work/runs/row3
for variant in "$@"; do
  case $variant in
    before) dir=/work/wt-before; extra=() ;;
    after) dir=/work/main; extra=() ;;
    fix100) dir=/work/main; extra=() ;;
    fix50) dir=/work/main; extra=(--victim-hocon "accepted-handshake-rate.handshakes-per-second = 50") ;;
    reserve100) dir=/work/main; extra=() ;;
    reserve50) dir=/work/main; extra=(--victim-hocon "accepted-handshake-rate.handshakes-per-second = 50") ;;
    half) dir=/work/main; extra=(--victim-hocon "accepted-handshake-rate.handshakes-per-second = 50") ;;
    lifted) dir=/work/main; extra=(--victim-hocon "accepted-handshake-rate.handshakes-per-second = 1000000" --victim-hocon "accepted-handshake-rate.burst = 1000000") ;;
  esac
  n=$(ls $variant-*.json 2>/dev/null | wc -l); n=$((n+1))
  flock /tmp/bench.lock bash -c "uptime > $variant-$n.txt; cd $dir && nice -n 5 dotnet run --no-build -c Release --project benchmarks/Drogulus.FloodBenchmark -- --attack admission --rows 3 ${extra[*]@Q} --json /work/runs/row3/$variant-$n.json >> /work/runs/row3/$variant-$n.txt 2>&1; uptime >> /work/runs/row3/$variant-$n.txt"
done
