"""Where a draft's and a submission's time goes under the deadline surge: cProfile in every gunicorn worker.

`deadline_surge.py --profile DIR` serves `surge_profile:app` instead of `wsgi:app`: the same app, with each bid
draft (`POST /api/v1/frameworks/{id}/bids`) and submission (`POST /api/v1/bids/{id}/submit`) run under its kind's
profiler in that worker (a sync worker runs one request at a time, so a profile holds exactly those requests, the
time waiting for the database's locks included). Each worker writes `DIR/<kind>-<pid>.pstats` as it goes.

    .venv/bin/python benchmarks/surge_profile.py DIR     # the merged profiles: the top functions of each kind
"""
import atexit
import cProfile
import os
import pstats
import re
import sys
from pathlib import Path

KINDS = {"draft": re.compile(r"^/api/v1/frameworks/\d+/bids$"), "submit": re.compile(r"^/api/v1/bids/\d+/submit$")}
DUMP_EVERY = 25  # requests of a kind between two writes of its file (and once more at the worker's exit)


class Profiled:
    """WSGI middleware: each draft and submission under its kind's profiler (the answer's body is built inside)."""

    def __init__(self, app, folder: Path):
        self.app, self.folder = app, folder
        self.profiles = {kind: cProfile.Profile() for kind in KINDS}
        self.counts = dict.fromkeys(KINDS, 0)
        atexit.register(self.dump)

    def kind(self, environ) -> str | None:
        if environ.get("REQUEST_METHOD") != "POST":
            return None
        return next((k for k, pattern in KINDS.items() if pattern.match(environ.get("PATH_INFO", ""))), None)

    def __call__(self, environ, start_response):
        kind = self.kind(environ)
        if kind is None:
            return self.app(environ, start_response)
        profile = self.profiles[kind]
        profile.enable()
        try:
            body = b"".join(self.app(environ, start_response))
        finally:
            profile.disable()
        self.counts[kind] += 1
        if self.counts[kind] % DUMP_EVERY == 0:
            self.dump()
        return [body]

    def dump(self) -> None:
        for kind, profile in self.profiles.items():
            if self.counts[kind]:
                profile.dump_stats(self.folder / f"{kind}-{os.getpid()}.pstats")
                (self.folder / f"{kind}-{os.getpid()}.count").write_text(str(self.counts[kind]))


def _served():
    from wsgi import app as served  # the checkout gunicorn runs in (its working directory)

    folder = Path(os.environ["SURGE_PROFILE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return Profiled(served, folder)


if "SURGE_PROFILE_DIR" in os.environ:
    app = _served()


def _where(key) -> str:
    filename, line, name = key
    for marker in ("/site-packages/", "/lib/python3"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    else:
        filename = filename.rsplit("/wt-", 1)[-1].split("/", 1)[-1] if "/" in filename else filename
    return f"`{filename}:{line} {name}`" if line else f"`{name}`"


def _is_ours(filename: str) -> bool:
    """A file of the app's own packages (not a library's, not the standard library's)."""
    return "/site-packages/" not in filename and "/lib/python3" not in filename and any(
        f"/{package}/" in filename for package in ("app", "consort", "frameworks", "suppliers", "procurement"))


def main(folder: Path, top: int = 25) -> None:
    """Per kind: the requests profiled, the app's own functions by cumulative time and every function by its own
    time, per request."""
    for kind in KINDS:
        files = sorted(folder.glob(f"{kind}-*.pstats"))
        if not files:
            continue
        requests = sum(int(f.with_suffix(".count").read_text()) for f in files)
        stats = pstats.Stats(*map(str, files))
        print(f"\n### {kind}: {requests} requests in {len(files)} workers, {stats.total_tt / requests * 1000:.1f} ms "
              "a request under the profiler\n")
        ours = {key: value for key, value in stats.stats.items() if _is_ours(key[0])}
        for order, column, table in (("cumulative", 3, ours), ("own", 2, stats.stats)):
            rows = sorted(table.items(), key=lambda item: item[1][column], reverse=True)[:top]
            what = "the app's function" if table is ours else "function"
            print(f"| {what} (by {order} time) | calls a request | own ms a request | cumulative ms a request |")
            print("|---|---|---|---|")
            for key, (_, ncalls, tottime, cumtime, _) in rows:
                print(f"| {_where(key)} | {ncalls / requests:.1f} | {tottime / requests * 1000:.2f} | "
                      f"{cumtime / requests * 1000:.2f} |")
            print()


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 25)
