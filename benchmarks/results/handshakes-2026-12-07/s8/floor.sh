#!/bin/bash
# OpenSSL's own CPU per mutual TLS 1.3 handshake (P-256), full and resumed, both ends, over 127.0.0.1.
cd /work/runs/ossl
openssl version
uptime
for mode in new reuse; do
  openssl s_server -accept 45447 -tls1_3 -cert c.pem -key k.pem -Verify 1 -CAfile c.pem -WWW -quiet > /dev/null 2>&1 &
  srv=$!
  sleep 0.5
  s0=$(awk '{print $14+$15}' /proc/$srv/stat)
  /usr/bin/time -f "client_cpu_s %U %S" openssl s_time -connect 127.0.0.1:45447 -$mode -tls1_3 -cert c.pem -key k.pem -time 10 -www /f > out-$mode.txt 2> time-$mode.txt
  s1=$(awk '{print $14+$15}' /proc/$srv/stat)
  kill $srv; wait $srv 2>/dev/null
  n=$(grep -o "^[0-9]* connections in [0-9]* real" out-$mode.txt | awk '{print $1}')
  c=$(grep client_cpu_s time-$mode.txt | awk '{print $2+$3}')
  tck=$(getconf CLK_TCK)
  python3 -c "n=$n; c=$c; s=($s1-$s0)/$tck; print(f'$mode: {n} handshakes, client {c*1000/n:.3f} ms, server {s*1000/n:.3f} ms, both ends {(c+s)*1000/n:.3f} ms CPU each')"
  grep -c r out-$mode.txt > /dev/null
done
uptime
