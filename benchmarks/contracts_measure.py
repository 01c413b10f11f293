"""contracts.py's measurements: render_pending under timers (with the SQL and, on PostgreSQL, a probe of the audit
chain's lock), WeasyPrint alone on the same HTML, and a cProfile of WeasyPrint by package."""
import cProfile
import io
import pstats
import time
from collections import defaultdict


class Timers:
    """Seconds and calls per named piece, summed over the run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] += seconds
        self.calls[name] += 1


def wrap(owner, name: str, timers: Timers, label: str, restore: list, hook=None):
    """Replace owner.name with a timed wrapper (hook(result, start, seconds) is told each call); remember the
    original in `restore`, for unwrap."""
    original = getattr(owner, name)

    def timed(*args, **kwargs):
        start = time.perf_counter()
        result = original(*args, **kwargs)
        elapsed = time.perf_counter() - start
        timers.add(label, elapsed)
        if hook:
            hook(result, start, elapsed)
        return result

    setattr(owner, name, timed)
    restore.append((owner, name, original))
    return original


def unwrap(restore: list) -> None:
    for owner, name, original in reversed(restore):
        setattr(owner, name, original)
    restore.clear()


def measure_ours(framework_id: int, url: str) -> dict:
    """render_pending under timers. Returns the totals, the per-document times and the captured HTML."""
    import weasyprint
    from sqlalchemy import event

    from app.audit import services as audit
    from app.extensions import db
    from procurement import contracts, pdf

    timers = Timers()
    restore: list = []
    per_document: list[tuple[str, float]] = []  # (template, seconds) for the whole of pdf.render
    html_by_call: list[str] = []
    writer_since: list[float | None] = [None]  # perf_counter when the batch's transaction first wrote
    writer_holds: list[float] = []
    sql: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])

    wrap(pdf, "render_template", timers, "template (Flask render_template)", restore,
         hook=lambda html, start, elapsed: html_by_call.append(html))
    wrap(pdf, "html_to_pdf", timers, "WeasyPrint in all", restore)
    wrap(weasyprint.HTML, "__init__", timers, "WeasyPrint: parse HTML", restore)
    wrap(weasyprint.HTML, "render", timers, "WeasyPrint: style and layout (HTML.render)", restore)
    wrap(weasyprint.document.Document, "write_pdf", timers, "WeasyPrint: write PDF (Document.write_pdf)", restore)
    wrap(pdf, "sha256", timers, "sha256", restore)

    def first_write(result, start, elapsed):
        if writer_since[0] is None:
            writer_since[0] = start

    wrap(audit, "record", timers, "audit.record (flushes the version and the event, chain lock, last hash)",
         restore, hook=first_write)
    original_render = pdf.render

    def render(template, **kwargs):
        start = time.perf_counter()
        data = original_render(template, **kwargs)
        per_document.append((template, time.perf_counter() - start))
        return data

    pdf.render = render
    restore.append((pdf, "render", original_render))
    original_commit = db.session.commit

    def commit():
        start = time.perf_counter()
        original_commit()
        end = time.perf_counter()
        timers.add("commit (flushes the status updates, COMMIT)", end - start)
        if writer_since[0] is not None:
            writer_holds.append(end - writer_since[0])
            writer_since[0] = None

    db.session.commit = commit

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_start", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        elapsed = time.perf_counter() - conn.info["bench_start"].pop()
        words = statement.split()
        verb = words[0].upper()
        table = ""
        if verb == "INSERT":
            table = words[2]
        elif verb == "UPDATE":
            table = words[1]
        elif verb == "SELECT" and "FROM" in (w.upper() for w in words):
            table = words[[w.upper() for w in words].index("FROM") + 1]
        key = f"{verb} {table.strip(chr(34))}".strip()
        sql[key][0] += elapsed
        sql[key][1] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    probe = ChainLockProbe(url) if engine.dialect.name == "postgresql" else None
    try:
        if probe:
            probe.__enter__()
        start, cpu = time.perf_counter(), time.process_time()
        done = contracts.render_pending(framework_id)
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        if probe:
            probe.__exit__()
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        del db.session.commit
        unwrap(restore)
    return {"done": done, "total": total, "cpu": cpu, "timers": timers, "per_document": per_document,
            "html": html_by_call, "writer_holds": writer_holds, "sql": dict(sql),
            "lock_waits": probe.waits if probe else None}


class ChainLockProbe:
    """On PostgreSQL, another connection takes the audit chain's advisory lock (as any audited write elsewhere in
    the app must) every 100 ms while render_pending runs, and notes how long it waited for it."""

    def __init__(self, url: str) -> None:
        import threading

        self.url = url.replace("postgresql+psycopg://", "postgresql://")
        self.waits: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.probe, daemon=True)

    def probe(self) -> None:
        import psycopg

        from app.audit.services import _CHAIN_LOCK_KEY

        with psycopg.connect(self.url) as connection:
            while not self.stop.is_set():
                start = time.perf_counter()
                with connection.transaction():
                    connection.execute("SELECT pg_advisory_xact_lock(%s)", (_CHAIN_LOCK_KEY,))
                self.waits.append(time.perf_counter() - start)
                self.stop.wait(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def measure_weasyprint_alone(html: list[str]) -> tuple[float, float, list[float], list[bytes]]:
    from procurement.pdf import ASSETS
    from weasyprint import HTML

    times, outputs = [], []
    start, cpu = time.perf_counter(), time.process_time()
    for text in html:
        t0 = time.perf_counter()
        outputs.append(HTML(string=text, base_url=str(ASSETS)).write_pdf(pdf_variant="pdf/a-3b"))
        times.append(time.perf_counter() - t0)
    return time.perf_counter() - start, time.process_time() - cpu, times, outputs


def profile_weasyprint(html: list[str], top: int) -> tuple[list[tuple[str, float]], str, float]:
    """cProfile WeasyPrint alone on these documents: seconds of own time by package, and the top functions."""
    from procurement.pdf import ASSETS
    from weasyprint import HTML

    profiler = cProfile.Profile()
    profiler.enable()
    for text in html:
        HTML(string=text, base_url=str(ASSETS)).write_pdf(pdf_variant="pdf/a-3b")
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_package: dict[str, float] = defaultdict(float)
    for (filename, _, function), (_, _, own, _, _) in stats.stats.items():
        by_package[package_of(filename, function)] += own
    total = sum(by_package.values())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return sorted(by_package.items(), key=lambda kv: -kv[1]), "\n".join(lines[start:]), total


def package_of(filename: str, function: str) -> str:
    if filename == "~":
        return "built-ins (C: " + ("cffi/Pango/HarfBuzz calls" if "_cffi" in function or "lib" in function
                                   else "zlib, str, dict, …") + ")"
    if "site-packages/" in filename:
        parts = filename.split("site-packages/")[1].split("/")
        if parts[0] == "weasyprint" and len(parts) > 1:
            return "weasyprint." + parts[1].removesuffix(".py")
        return parts[0].removesuffix(".py")
    return "Python standard library" if "/lib/python" in filename else filename

