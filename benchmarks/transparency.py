"""The audit log as a transparency log: what the Merkle tree costs on append, and what a proof costs at 100,000 events.

    .venv/bin/python benchmarks/transparency.py                  # 100,000 events on PostgreSQL, about 15 minutes
    .venv/bin/python benchmarks/transparency.py --sqlite 20000   # and 20,000 on SQLite first
    .venv/bin/python benchmarks/transparency.py --events 5000    # a quick run
    .venv/bin/python benchmarks/transparency.py --markdown       # and write the tables into benchmarks/README.md

Append: two databases side by side, one with the tree (the app as it is: `app.audit.services.record`, which adds
the event and the tree nodes it completes) and one with the hash chain alone (the same `record` with the tree
nodes left out, as the log was before), taking turns a batch of 1,000 events at a time so both see the same load;
a commit every 50 events (a request's change and its events are one transaction). Events per second on each.

Proofs: checkpoints at 1,000, 10,000 and 100,000 events (or the sizes below --events), then 200 inclusion proofs of
random leaves and 200 consistency proofs from a random earlier checkpoint, through the service the API calls: the
mean time, the queries and the tree nodes read per proof (O(log n): they must grow by a constant as n grows tenfold).
Every proof is checked with the RFC 9162 verifiers in `app.domain.merkle` (exit status 1 if one fails).
"""
import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import support  # before the app's packages: it puts the project's root on sys.path
from sqlalchemy import event

from app.audit import services as audit
from app.audit import transparency
from app.audit.models import AuditCheckpoint
from app.domain import merkle
from app.extensions import db

MARKERS = ("<!-- transparency results start -->", "<!-- transparency results end -->")
BATCH, COMMIT_EVERY, PROOFS = 1000, 50, 200


class Counter:
    def __init__(self, engine):
        self.queries = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.queries += 1


def _append(app, count: int, tree: bool) -> float:
    """Append `count` events; the seconds it took."""
    with app.app_context():
        original = audit._add_leaf
        if not tree:
            audit._add_leaf = lambda position, digest: None
        try:
            start = time.perf_counter()
            for n in range(count):
                audit.record("benchmark.happened", object_type="Benchmark", object_id=n, after={"n": n})
                if n % COMMIT_EVERY == COMMIT_EVERY - 1:
                    db.session.commit()
            db.session.commit()
            return time.perf_counter() - start
        finally:
            audit._add_leaf = original
            db.session.remove()


def _proofs(app, sizes: list[int], rng: random.Random) -> list[tuple]:
    rows = []
    with app.app_context():
        roots = {}
        if transparency.tree_size() < max(sizes):
            raise SystemExit("the log is smaller than the checkpoints asked for")
        # checkpoints at each size: the tree is read as it was at that size (its nodes never change)
        for size in sizes:
            root_hash = transparency.root(size).hex()
            db.session.add(AuditCheckpoint(tree_size=size, root_hash=root_hash, timestamp="",
                                                        key_id="benchmark", signature=""))
            roots[size] = bytes.fromhex(root_hash)
        db.session.commit()
        counter = Counter(db.engine)
        read = {"nodes": 0}
        original = audit.read_nodes

        def counting(keys):
            found = original(keys)
            read["nodes"] += len(found)
            return found

        transparency.read_nodes = counting
        failures = 0
        try:
            for size in sizes:
                for kind in ("inclusion", "consistency"):
                    times, queries, nodes = [], [], []
                    for _ in range(PROOFS):
                        before_q, before_n = counter.queries, read["nodes"]
                        start = time.perf_counter()
                        if kind == "inclusion":
                            index = rng.randrange(size)
                            proof = transparency.inclusion_proof(index, size)
                            ok = merkle.verify_inclusion(index, size, bytes.fromhex(proof.leaf_hash),
                                                         [bytes.fromhex(p) for p in proof.proof], roots[size])
                        else:
                            old = rng.choice([s for s in sizes if s < size] or [size])
                            path = transparency.consistency_proof(old, size)
                            ok = merkle.verify_consistency(old, size, [bytes.fromhex(p) for p in path],
                                                           roots[old], roots[size])
                        times.append(time.perf_counter() - start)
                        queries.append(counter.queries - before_q)
                        nodes.append(read["nodes"] - before_n)
                        failures += not ok
                        db.session.rollback()
                    rows.append((size, kind, statistics.mean(times) * 1000, max(queries), max(nodes)))
        finally:
            transparency.read_nodes = original
            db.session.remove()
    if failures:
        raise SystemExit(f"{failures} proofs did not verify")
    return rows


def run(name: str, urls: list[str], events: int, rng: random.Random) -> tuple[list, list]:
    """The databases at `urls` (the tree's, the chain's) migrated, appended to and proved."""
    tree_app, chain_app = (support.make_app(url) for url in urls)
    for app in (tree_app, chain_app):
        with app.app_context():
            support.migrate()
    spent = {True: 0.0, False: 0.0}
    done = 0
    while done < events:
        batch = min(BATCH, events - done)
        spent[True] += _append(tree_app, batch, tree=True)
        spent[False] += _append(chain_app, batch, tree=False)
        done += batch
    append = [(name, f"{events:,}", "hash chain alone (before)", events / spent[False]),
              (name, f"{events:,}", "chain and Merkle tree (now)", events / spent[True])]
    sizes = [size for size in (1000, 10_000, 100_000) if size <= events] or [events]
    proofs = [(name, *row) for row in _proofs(tree_app, sizes, rng)]
    for app in (tree_app, chain_app):
        with app.app_context():
            db.engine.dispose()
    return append, proofs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--sqlite", type=int, default=0, help="events on SQLite too (0: none)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    rng = random.Random(9162)
    load = Path("/proc/loadavg").read_text().split()[:3]
    appends, proofs = [], []
    if args.sqlite:
        with tempfile.TemporaryDirectory() as folder:
            urls = [f"sqlite:///{folder}/tree.sqlite3", f"sqlite:///{folder}/chain.sqlite3"]
            a, p = run("SQLite", urls, args.sqlite, rng)
            appends += a
            proofs += p
    if args.events:
        names = ["consort_bench_tree", "consort_bench_chain"]
        urls = [support.create_database(name) for name in names]
        try:
            a, p = run("PostgreSQL", urls, args.events, rng)
            appends += a
            proofs += p
        finally:
            for name in names:
                support.drop_database(name)
    after = Path("/proc/loadavg").read_text().split()[:3]
    lines = [f"`{support.command('transparency.py')}` on {support.cpus()}, "
             f"{support.python()}; load average {' '.join(load)} before, {' '.join(after)} after.", "",
             f"Appending events (a commit every {COMMIT_EVERY}), the two logs taking turns {BATCH:,} at a time:", "",
             support.table_head("database", "events", "log", "events/s"),
             *[support.table_row(name, events, log, f"{rate:,.0f}") for name, events, log, rate in appends], "",
             f"Proofs at each size ({PROOFS} of each, random leaves and earlier checkpoints):", "",
             support.table_head("database", "events", "proof", "mean ms", "queries", "nodes read (most)"),
             *[support.table_row(name, f"{size:,}", kind, f"{ms:.2f}", queries, nodes)
               for name, size, kind, ms, queries, nodes in proofs]]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        support.write_results(MARKERS, text)


if __name__ == "__main__":
    main()
