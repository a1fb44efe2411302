"""Every node's routing table, read from the file the node saves while it runs and when it stops
(drogulus.routing-table.file, <data>/routing-table.bin; format in src/Drogulus.Core/Routing/RoutingTableSnapshot.cs:
["drogulus-routing-table", 1, [[id, address, port, version, last_seen], ...], [blacklisted id, ...]]).
The control channel's /status gives only the number of contacts; the file gives who they are and the blacklist."""
import os

from .wire import unpack  # the testbed's one msgpack decoder

MAGIC = "drogulus-routing-table"


def read(path):
    """(contact ids as hex, blacklisted ids as hex) of a saved routing table."""
    with open(path, "rb") as f:
        doc = unpack(f.read())
    if not isinstance(doc, list) or len(doc) != 4 or doc[0] != MAGIC.encode("ascii") or doc[1] != 1:
        raise ValueError(f"{path} is not a routing table file of format 1")
    return {c[0].hex() for c in doc[2]}, {b.hex() for b in doc[3]}


def snapshot(nodes):
    """node id (hex) -> (contact ids, blacklisted ids) of every node whose table file exists."""
    out = {}
    for n in nodes:
        path = os.path.join(n.data, "routing-table.bin")
        if os.path.exists(path):
            out[n.node_id] = read(path)
    return out


def drops(before, after, limit_pct):
    """For each node id X: in how many of the other nodes' tables X was at `before` and is missing at `after`.
    Figures: the worst fraction of the other tables (the issue's measure: "dropped from more than 5 % of routing
    tables") and of the tables that held X at the start, how many ids exceed `limit_pct` of the other tables,
    contacts kept/dropped/added in total, and every blacklisted id."""
    ids = sorted(set(before) | set(after))
    others = len(ids) - 1
    per_id = {}
    for x in ids:
        holders = [y for y in ids if y != x and y in before and x in before[y][0]]
        dropped = [y for y in holders if y in after and x not in after[y][0]]
        per_id[x] = (len(dropped), len(holders))
    worst_of_all = max((d / others for d, _ in per_id.values()), default=0.0) if others else 0.0
    worst_of_holders = max((d / h for d, h in per_id.values() if h), default=0.0)
    over = sorted(x[:16] for x, (d, _) in per_id.items() if others and 100.0 * d / others > limit_pct)
    kept = sum(len(before[y][0] & after[y][0]) for y in before if y in after)
    lost = sum(len(before[y][0] - after[y][0]) for y in before if y in after)
    added = sum(len(after[y][0] - before[y][0]) for y in before if y in after)
    blacklisted = sorted({b[:16] for y in after for b in after[y][1]})
    return {"tables_read_start": len(before), "tables_read_end": len(after), "other_tables": others,
            "worst_drop_pct_of_other_tables": round(100.0 * worst_of_all, 2),
            "worst_drop_pct_of_holding_tables": round(100.0 * worst_of_holders, 2),
            "contacts_over_limit": len(over), "contacts_over_limit_ids": over, "limit_pct": limit_pct,
            "dropped_per_contact": sorted((d for d, _ in per_id.values()), reverse=True),
            "entries_kept": kept, "entries_dropped": lost, "entries_added": added,
            "blacklisted_ids": blacklisted, "nodes_with_blacklist_entries": sum(1 for y in after if after[y][1])}
