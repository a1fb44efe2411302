#!/usr/bin/env bash
# Issue 26 item 1: N runs of the whole suite, each with stress-ng --cpu 2 beside it.
set -u
n=${1:-5}; out=/work/stresslog/s5; mkdir -p $out
cd /work/stress-src
dotnet build Drogulus.Actors.sln -c Release > $out/build.log 2>&1 || { echo "build failed" >> $out/summary.txt; exit 1; }
echo "commit $(git rev-parse --short HEAD)" >> $out/summary.txt
for i in $(seq 1 $n); do
  stress-ng --cpu 2 --timeout 3600s >/dev/null 2>&1 & sp=$!
  l0=$(cut -d' ' -f1 /proc/loadavg); t0=$(date +%s)
  dotnet test Drogulus.Actors.sln -c Release --no-build > $out/suite$i.log 2>&1; rc=$?
  t1=$(date +%s); l1=$(cut -d' ' -f1 /proc/loadavg)
  kill $sp; wait $sp 2>/dev/null
  p=$(grep -Eo 'Passed: +[0-9]+' $out/suite$i.log | awk '{s+=$2} END {print s+0}')
  f=$(grep -Eo 'Failed: +[0-9]+' $out/suite$i.log | awk '{s+=$2} END {print s+0}')
  echo "suite $i rc=$rc passed=$p failed=$f secs=$((t1-t0)) load_start=$l0 load_end=$l1 $(date -u +%H:%M)" >> $out/summary.txt
done
