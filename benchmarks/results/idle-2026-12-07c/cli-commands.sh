#!/bin/bash
# Short-lived CLI commands against one running node: wall and CPU seconds with tiering (reference build) and without.
# The builds: REF a copy of samples/Drogulus.Node's Release build before this round (tiering on), NEW the same
# build with TieredCompilation false (1d54a70), R2R `dotnet publish samples/Drogulus.Node -c Release -r linux-x64
# --self-contained false -p:PublishReadyToRun=true -o /tmp/h24k-r2r` of NEW. Run as `flock /tmp/bench.lock ./cli-commands.sh`.
# cli-commands.txt is an earlier run of the same script without the R2R build.
set -u
export DROGULUS_PASSPHRASE="cli timing passphrase"
REF=/tmp/h24k-node-ref/drogulus-node.dll
NEW=/work/wt-a/samples/Drogulus.Node/bin/Release/net10.0/drogulus-node.dll
R2R=/tmp/h24k-r2r/drogulus-node.dll
D=$(mktemp -d /tmp/h24k-cli-XXXX)
echo "uptime at start: $(uptime)"; date -u
dotnet $REF keygen --data $D/n >/dev/null
dotnet $REF start --data $D/n --listen 127.0.0.1:0 --reachability server > $D/log 2>&1 &
NODE=$!
for i in $(seq 1 100); do grep -q "listening on" $D/log && break; sleep 0.2; done
sleep 3
for round in 1 2 3 4 5; do
  for v in ref new r2r; do
    dll=$REF; [ $v = new ] && dll=$NEW; [ $v = r2r ] && dll=$R2R
    /usr/bin/time -f "$v status wall %e user %U sys %S" dotnet $dll status --data $D/n > /dev/null 2>> $D/times
    /usr/bin/time -f "$v put wall %e user %U sys %S" dotnet $dll put name$round$v value --data $D/n > /dev/null 2>> $D/times
    /usr/bin/time -f "$v help wall %e user %U sys %S" dotnet $dll --help > /dev/null 2>> $D/times
  done
done
kill $NODE; wait $NODE
grep -E "^(ref|new|r2r) " $D/times
echo "uptime after: $(uptime)"; date -u
rm -rf $D
