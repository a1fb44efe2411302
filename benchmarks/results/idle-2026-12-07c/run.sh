#!/bin/bash
# usage: [NODE_DLL=PATH] run.sh LABEL [NAME=VALUE ...]: one IdleBenchmark run under the shared benchmark lock,
# with the load before and after; writes LABEL.txt and LABEL.json here. NODE_DLL was a copy of the tiering-on
# build (/tmp/h24k-node-ref) for every run but the first round's, which used the build in place (same bytes), and
# the ReadyToRun publish (/tmp/h24k-r2r, see cli-commands.sh) for the r2r+tc-off runs.
cd /work/wt-a
out=benchmarks/results/idle-2026-12-07c
label=$1; shift
envs=()
for e in "$@"; do envs+=(--env "$e"); done
{
echo "uptime before (waiting for the lock): $(uptime)"
flock /tmp/bench.lock bash -c "echo \"uptime at start (lock held): \$(uptime)\"; date -u; dotnet run -c Release --no-build --project benchmarks/Drogulus.IdleBenchmark -- --label $label --json $out/$label.json ${NODE_DLL:+--node-dll $NODE_DLL} ${envs[*]}; echo \"uptime after: \$(uptime)\"; date -u"
} > $out/$label.txt 2>&1
