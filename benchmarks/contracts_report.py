"""contracts.py's report: the Markdown summary of a run, its tables, the machine, and the raw numbers as JSON."""
import contextlib
import json
import os
import platform
import statistics
from collections import defaultdict
from datetime import UTC, datetime
from importlib.metadata import version as package_version

import support
from contracts_measure import Timers


def machine() -> str:
    cpu, memory = "unknown CPU", 0.0
    with contextlib.suppress(OSError):
        cpu = support.cpu_model("unknown CPU")
        memory = support.memory_gib()
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs ({cpu}), {memory:.1f} GiB, {platform.system()} {platform.release()}, "
            f"{support.python()}, WeasyPrint {package_version('weasyprint')}, "
            f"pydyf {package_version('pydyf')}, Flask {package_version('flask')}, "
            f"SQLAlchemy {package_version('sqlalchemy')}; load average at the end {load[0]:.2f} {load[1]:.2f}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}" if seconds >= 0.01 else f"{seconds * 1000:.2f}"


def p90(values: list[float]) -> float:
    return support.percentile(values, 90, rounded=True)


def summary_row(label: str, values: list[float]) -> str:
    return (f"| {label} | {len(values)} | {sum(values):.1f} | {ms(statistics.mean(values))} | "
            f"{ms(statistics.median(values))} | {ms(p90(values))} | {ms(max(values))} |")


def report(args, dialect, ours, rows, agreements, call_offs, alone_total, alone_times, redone, profile,
           failures, rounds) -> None:
    n = len(rows)
    total = ours["total"]
    timers: Timers = ours["timers"]
    per = ours["per_document"]
    by_kind = defaultdict(list)
    for template, seconds in per:
        by_kind[template].append(seconds)
    print()
    print(f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{support.command('contracts.py')}` on {dialect}:")
    print(f"- documents: **{n}** ({agreements} framework agreements, {call_offs} call-offs)")
    print(f"- `render_pending`: **{total:.1f} s** in all, {total / n * 1000:.0f} ms a document, "
          f"{n / total:.1f} documents/s (batches of 10, {len(ours['writer_holds'])} commits)")
    print(f"- WeasyPrint alone on the same HTML: **{alone_total:.1f} s**, {alone_total / n * 1000:.0f} ms a document")
    print(f"- ratio ours / WeasyPrint alone: **{total / alone_total:.2f}** (CPU time: "
          f"{ours['cpu'] / rounds[0][2]:.2f})")
    sizes = [len(r.pdf) for r in rows]
    size_kind = defaultdict(list)
    for r in rows:
        size_kind[r.kind].append(len(r.pdf))
    print(f"- PDF bytes: {sum(sizes) / 1e6:.1f} MB in all; "
          + "; ".join(f"{k.replace('_', ' ')} mean {statistics.mean(v) / 1024:.1f} KiB "
                      f"({min(v) / 1024:.1f}–{max(v) / 1024:.1f})" for k, v in sorted(size_kind.items())))
    print()
    print(support.table_head("round", "ours s", "ours CPU s", "WeasyPrint alone s", "alone CPU s", "ratio",
                             "ratio of CPU"))
    for number, (o, a_wall, a_cpu, _) in enumerate(rounds, start=1):
        print(f"| {number} | {o['total']:.1f} | {o['cpu']:.1f} | {a_wall:.1f} | {a_cpu:.1f} | "
              f"{o['total'] / a_wall:.2f} | {o['cpu'] / a_cpu:.2f} |")
    if len(rounds) > 1:
        print(f"| median | | | | | {statistics.median(o['total'] / a for o, a, _, _ in rounds):.2f} | "
              f"{statistics.median(o['cpu'] / c for o, _, c, _ in rounds):.2f} |")
    print()
    print("The tables below are round 1's.")
    print()
    print(support.table_head("per document", "n", "total s", "mean ms", "median ms", "p90 ms", "max ms"))
    for template, values in sorted(by_kind.items()):
        print(summary_row(f"ours, `pdf.render`: {template.removesuffix('.html').replace('_', ' ')}", values))
    print(summary_row("ours, `pdf.render`: all", [s for _, s in per]))
    print(summary_row("WeasyPrint alone: all", alone_times))
    print()
    print(support.table_head("where `render_pending`'s time goes", "calls", "s", "share", "ms a document"))
    order = ["template (Flask render_template)", "WeasyPrint: parse HTML",
             "WeasyPrint: style and layout (HTML.render)", "WeasyPrint: write PDF (Document.write_pdf)",
             "sha256", "audit.record (flushes the version and the event, chain lock, last hash)",
             "commit (flushes the status updates, COMMIT)"]
    weasy_parts = sum(timers.seconds[k] for k in order[1:4])
    weasy_other = timers.seconds["WeasyPrint in all"] - weasy_parts
    accounted = 0.0
    for key in order:
        seconds = timers.seconds[key]
        accounted += seconds
        print(f"| {key} | {timers.calls[key]} | {seconds:.2f} | {seconds / total:.1%} | {seconds / n * 1000:.1f} |")
        if key == "WeasyPrint: write PDF (Document.write_pdf)":
            accounted += weasy_other
            print(f"| WeasyPrint: the rest of `write_pdf` | | {weasy_other:.2f} | {weasy_other / total:.1%} | "
                  f"{weasy_other / n * 1000:.1f} |")
    rest = total - accounted
    print(f"| the rest (batch SELECT, loading `versions`, ORM, building the context) | | {rest:.2f} | "
          f"{rest / total:.1%} | {rest / n * 1000:.1f} |")
    print()
    holds = ours["writer_holds"]
    if holds:
        print(f"- a batch's transaction is a writer (from its first audit record to its commit, holding the audit "
              f"chain's lock on PostgreSQL, the database's write lock on SQLite) for median "
              f"{statistics.median(holds):.2f} s, max {max(holds):.2f} s, {len(holds)} batches: "
              f"{sum(holds) / total:.0%} of the run; a write arriving at a random moment would wait "
              f"{sum(h * h / 2 for h in holds) / total:.2f} s on average")
    waits = ours["lock_waits"]
    if waits:
        print(f"- another connection taking the audit chain's lock every 100 ms during the run ({len(waits)} "
              f"tries) waited median {ms(statistics.median(waits))} ms, p90 {ms(p90(waits))} ms, "
              f"max {ms(max(waits))} ms; {sum(w > 0.1 for w in waits) / len(waits):.0%} of tries waited "
              f"over 100 ms")
    print()
    print(support.table_head("SQL during `render_pending` (driver time)", "statements", "s"))
    for key, (seconds, count) in sorted(ours["sql"].items(), key=lambda kv: -kv[1][0]):
        print(f"| {key} | {count} | {seconds:.2f} |")
    print(f"| all | {sum(c for _, c in ours['sql'].values())} | {sum(s for s, _ in ours['sql'].values()):.2f} |")
    if profile:
        print()
        print(f"cProfile of WeasyPrint alone on {profile['documents']} documents ({profile['seconds']:.1f} s of "
              f"own time under the profiler), own time by package:")
        print()
        print(support.table_head("package", "s", "share"))
        for name, seconds in profile["by_package"][:14]:
            print(f"| {name} | {seconds:.2f} | {seconds / profile['seconds']:.1%} |")
        print()
        print("Top functions by own time:")
        print(profile["top"])
    print()
    alone_same = not any("WeasyPrint alone" in f for f in failures)
    print("- determinism: re-rendered through `contracts.document`: "
          + ", ".join(f"{ref} {'same bytes' if same else 'DIFFERENT'}" for ref, same in redone)
          + "; WeasyPrint alone on the captured HTML gave the stored bytes for "
          + (f"all {n}" if alone_same else "not all (see the failures)"))
    print(f"- machine: {machine()}")
    print(f"- checks: **{'all passed' if not failures else 'FAILED'}**")
    for failure in failures:
        print(f"  - FAILED: {failure}")
    if args.json:
        args.json.write_text(json.dumps({
            "dialect": dialect, "documents": n, "agreements": agreements, "call_offs": call_offs,
            "render_pending_s": total, "weasyprint_alone_s": alone_total,
            "rounds": [{"ours_s": o["total"], "ours_cpu_s": o["cpu"], "alone_s": a, "alone_cpu_s": c}
                       for o, a, c, _ in rounds], "ratio": total / alone_total,
            "per_document_s": per, "alone_s": alone_times, "timers": timers.seconds, "calls": timers.calls,
            "writer_holds_s": holds, "lock_waits_s": waits, "sql": ours["sql"], "bytes": sizes, "failures": failures,
            "profile_by_package": profile["by_package"] if profile else None}, indent=1))

