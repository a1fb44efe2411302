# Medians over the runs of alternate.sh, per build: round trips/s of the node transport and raw SslStream (one write
# per frame; rawc: whole frames per write), the node's fraction of each, and its cost per round trip (PhaseProbe).
import json,glob,sys,statistics,os,re
out=sys.argv[1]
names=sorted(set(re.sub(r'-\d+\.json$','',os.path.basename(f)) for f in glob.glob(out+'/*.json')))
def med(x): return statistics.median(x) if x else float('nan')
for n in names:
    fs=sorted(glob.glob(f'{out}/{n}-*.json'))
    rt=[json.load(open(f))['round_trips'] for f in fs]
    loads=[float(open(f.replace('.json','.load')).read()) for f in fs if os.path.exists(f.replace('.json','.load'))]
    row=[n,f'runs {len(rt)}',f'load {min(loads) if loads else 0:.1f}-{max(loads) if loads else 0:.1f}']
    for k in (1,16):
        node=[r[f'node_transport_per_s_{k}_in_flight'] for r in rt]
        raw=[r[f'raw_sslstream_per_s_{k}_in_flight'] for r in rt]
        rawc=[r[f'raw_sslstream_coalesced_per_s_{k}_in_flight'] for r in rt]
        fr=[r[f'fraction_of_raw_coalesced_{k}_in_flight'] for r in rt]
        fr1=[r[f'fraction_of_raw_{k}_in_flight'] for r in rt]
        c=[r[f'node_transport_cost_{k}_in_flight'] for r in rt]
        row.append(f'| {k}: node {med(node):,.0f}/s raw {med(raw):,.0f} rawc {med(rawc):,.0f} frac {med(fr1):.2f}/{med(fr):.3f} cpu {med([x["cpu_ms_per_op"] for x in c]):.4f} ms tp {med([x["threadpool_items_per_op"] for x in c]):.1f} alloc {med([x["allocated_kb_per_op"] for x in c]):.1f} KB')
    print(' '.join(row))
