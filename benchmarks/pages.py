"""Every page of issue 20's table at G-Cloud's scale, beside a bare Flask page served the same way.

    flock /tmp/consort-bench.lock python benchmarks/pages.py [--url URL] [--seconds 20] [--write]

Seeds the scale data (`flask seed-scale`, 5,000 suppliers and 50,000 bids) into a new PostgreSQL database, unless
--url names one already seeded; serves the app, and a bare Flask page (`benchmarks/bare_app.py`), each with gunicorn
and deploy/gunicorn.conf.py (4 sync workers) behind one nginx with deploy/nginx-consort.conf on free loopback ports;
then runs `wrk -t2 -c16 -d20s` against each page, the bare page just before it, and prints the table (requests/s, p50,
p99, and the page's rate over the bare page's). --write puts it in benchmarks/README.md.
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pyotp
import requests
import support

from consort.demo.people import DEMO_TOTP_SECRET

ROOT = support.ROOT
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "consort-demo-2026"  # the demo's, which seed-scale's bidders share
# Flask-Login's strong session protection ends a session whose User-Agent changes: requests and wrk send the same.
USER_AGENT = {"User-Agent": "consort-pages-benchmark"}
MARKERS = ("<!-- pages results: start -->", "<!-- pages results: end -->")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seeded_database(url: str | None) -> str:
    if url:
        return url
    url = support.create_database("consort_pages")
    env = os.environ | {"DATABASE_URL": url, "FLASK_APP": "wsgi"}
    flask = str(Path(sys.executable).with_name("flask"))
    subprocess.run([flask, "db", "upgrade"], cwd=ROOT, env=env, check=True)
    subprocess.run([flask, "seed-scale"], cwd=ROOT, env=env, check=True)
    return url


def site(port: int, upstream: int, name: str, cache: Path) -> str:
    """deploy/nginx-consort.conf on loopback ports, its names and cache folder its own (two sites in one nginx)."""
    text = (ROOT / "deploy" / "nginx-consort.conf").read_text()
    return (text.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
            .replace("listen 80;", f"listen 127.0.0.1:{port};").replace("/var/cache/nginx/consort", str(cache))
            .replace("consort_app", f"{name}_app").replace("consort_public", f"{name}_public"))


def serve(url: str, folder: Path, worker_class: str | None = None) -> tuple[str, str, list]:
    """gunicorn for the app and for the bare page (deploy/gunicorn.conf.py, or another worker class for both), and
    nginx in front of both; their two addresses."""
    ports = {name: (free_port(), free_port()) for name in ("consort", "bare")}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    logs = open(folder / "servers.log", "wb")  # noqa: SIM115 - open while the servers run
    processes = []
    for name, target in (("consort", ["wsgi:app"]), ("bare", ["--pythonpath", "benchmarks", "bare_app:app"])):
        env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": "benchmark", "TRUSTED_PROXIES": "127.0.0.1",
                            "CONSORT_BIND": f"127.0.0.1:{ports[name][1]}", "CONSORT_WORKERS": "4",
                            "HUEY_SQLITE_PATH": str(folder / "huey.sqlite3")}
        # gunicorn makes a sync worker with threads (deploy/'s file may set them) a gthread one: 1 keeps it sync.
        chosen = ["--worker-class", worker_class, "--threads", "1" if worker_class == "sync" else "4"] \
            if worker_class else []
        processes.append(subprocess.Popen([gunicorn, "-c", "deploy/gunicorn.conf.py", *chosen, "--access-logfile",
                                           "/dev/null", *target], cwd=ROOT, env=env, stdout=logs,
                                          stderr=subprocess.STDOUT))
    sites = "\n".join(site(front, back, name, folder / f"cache-{name}") for name, (front, back) in ports.items())
    (folder / "sites.conf").write_text(sites)
    temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                       "scgi"))
    (folder / "nginx.conf").write_text(
        f"{'user root;' if os.geteuid() == 0 else ''} daemon off; worker_processes 2; pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'nginx-error.log'};\nevents {{ worker_connections 256; }}\n"
        f"http {{ access_log off; {temp} include {folder / 'sites.conf'}; }}\n")
    processes.append(subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")], stdout=logs,
                                      stderr=subprocess.STDOUT))
    app, bare = (f"http://127.0.0.1:{ports[name][0]}" for name in ("consort", "bare"))
    for address in (f"{app}/healthz", f"{bare}/"):
        for _ in range(300):
            try:
                if requests.get(address, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit(f"{address} did not answer; see {folder / 'servers.log'}")
    used = set(re.findall(r"Using worker: (\S+)", (folder / "servers.log").read_text()))
    print(f"gunicorn's workers: {', '.join(sorted(used))}", flush=True)
    if worker_class and used != {worker_class}:
        raise SystemExit(f"gunicorn ran {used}, not {worker_class}; see {folder / 'servers.log'}")
    return app, bare, processes


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def fresh_code(used: set[str]) -> str:
    """A code of the demo's two-factor key that has not been used yet (each is accepted once): the next step's if
    need be."""
    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    while (code := totp.now()) in used or totp.interval - time.time() % totp.interval < 2:
        time.sleep(0.5)
    used.add(code)
    return code


def session_cookie(app: str, email: str, used: set[str]) -> str:
    """Signed in through the pages, with the demo's second factor where the role needs it (the admin's)."""
    session = requests.Session()
    session.headers.update(USER_AGENT)
    answer = session.post(f"{app}/sign-in", data={"csrf_token": csrf(session.get(f"{app}/sign-in", timeout=30).text),
                                                  "email": email, "password": PASSWORD},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.status_code
    if answer.headers["Location"].endswith("/sign-in/code"):
        for _ in range(3):  # a code another program used in this window is refused: the next window's then
            page = session.get(f"{app}/sign-in/code", timeout=30).text
            answer = session.post(f"{app}/sign-in/code", data={"csrf_token": csrf(page), "code": fresh_code(used)},
                                  allow_redirects=False, timeout=30)
            if answer.status_code == 302:
                break
        assert answer.status_code == 302 and not answer.headers["Location"].endswith("/sign-in/code"), answer.text
    return "; ".join(f"{k}={v}" for k, v in session.cookies.items())


def targets(url: str, app: str) -> list[tuple[str, str, dict]]:
    """(name, path, headers) of each page in the issue's table."""
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        sizes = connection.execute(
            "SELECT bid_lot.lot_id, count(*) FROM bid_lot JOIN lot ON lot.id = bid_lot.lot_id JOIN framework "
            "ON framework.id = lot.framework_id WHERE framework.status = 'evaluation' "
            "GROUP BY bid_lot.lot_id").fetchall()
        framework = connection.execute("SELECT id FROM framework WHERE title = 'G-Cloud scale 01'").fetchone()[0]
    small, large = (min(sizes, key=lambda row, n=n: abs(row[1] - n)) for n in (226, 527))
    used: set[str] = set()
    admin, bidder = (USER_AGENT | {"Cookie": session_cookie(app, email, used)} for email in (
        "admin@ldpc.example", "bids@supplier00001.example"))
    token = requests.post(f"{app}/api/v1/tokens", json={"email": "admin@ldpc.example", "password": PASSWORD,
                                                        "otp": fresh_code(used)}, timeout=30).json()["token"]
    api = USER_AGENT | {"Authorization": f"Bearer {token}"}
    pages = [
        ("`/healthz`", "/healthz", {}),
        ("`/opportunities`", "/opportunities", {}),
        ("`/opportunities?q=Cloud&status=all`", "/opportunities?q=Cloud&status=all", {}),
        ("framework page (admin)", f"/frameworks/{framework}", admin),
        (f"ranking page, lot of {small[1]} bids", f"/lots/{small[0]}/ranking", admin),
        (f"`GET /api/v1/lots/{{id}}/ranking`, {small[1]} bids", f"/api/v1/lots/{small[0]}/ranking", api),
        (f"ranking page, lot of {large[1]} bids", f"/lots/{large[0]}/ranking", admin),
        (f"`GET /api/v1/lots/{{id}}/ranking`, {large[1]} bids", f"/api/v1/lots/{large[0]}/ranking", api),
        ("admin dashboard", "/dashboard", admin),
        ("supplier dashboard", "/dashboard", bidder),
        ("`GET /api/v1/frameworks`", "/api/v1/frameworks", api),
        ("levies (admin)", "/levies", admin),
        # No data but the session's: what every signed-in page costs before its own work (the floor of the above).
        ("signed-in page with no data (`/privacy`, admin)", "/privacy", admin),
    ]
    for name, path, headers in pages:  # wrk counts a redirect (to the sign-in page) as a success: not here
        answer = requests.get(f"{app}{path}", headers=headers, allow_redirects=False, timeout=60)
        if answer.status_code != 200:
            raise SystemExit(f"{name}: {path} answered {answer.status_code} {answer.headers.get('Location', '')}")
    return pages


def wrk(address: str, headers: dict, seconds: int) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, non-2xx/3xx answers) of `wrk -t2 -c16`."""
    args = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", address]
    for name, value in headers.items():
        args[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def ms(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return rate, ms("50"), ms("99"), int(bad.group(1)) if bad else 0


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a PostgreSQL database already seeded with `flask seed-scale`")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--warm", type=int, default=3,
                        help="seconds of wrk, not measured, on each page before its run: the steady state is "
                             "measured, not the first requests (new upstream connections, what each worker keeps)")
    parser.add_argument("--worker-class", help="gunicorn's worker class for both apps (say `gthread`), in place of "
                                               "deploy/gunicorn.conf.py's sync")
    parser.add_argument("--only", action="append", help="run only the pages whose name contains this (may be given "
                                                        "more than once; a check, not with --write)")
    parser.add_argument("--write", action="store_true", help="put the table in benchmarks/README.md")
    options = parser.parse_args()
    if options.only and options.write:
        parser.error("--write puts the whole table in the README: run it without --only")
    url = seeded_database(options.url)
    with tempfile.TemporaryDirectory(prefix="consort-pages-") as folder:
        app, bare, processes = serve(url, Path(folder), options.worker_class)
        try:
            pages = [page for page in targets(url, app)
                     if not options.only or any(part in page[0] for part in options.only)]
            before = uptime()
            lines = [support.table_head("page", "requests/s", "p50 ms", "p99 ms", "÷ bare", "bare requests/s")]
            for name, path, headers in pages:
                for address, sent in ((f"{bare}/", {}), (f"{app}{path}", headers)):
                    if options.warm:
                        wrk(address, sent, options.warm)
                bare_rate, *_ = wrk(f"{bare}/", {}, options.seconds)
                rate, p50, p99, bad = wrk(f"{app}{path}", headers, options.seconds)
                if bad:
                    name += f" ({bad} answers not 2xx/3xx)"
                lines.append(support.table_row(name, f"{rate:,.1f}", f"{p50:,.0f}", f"{p99:,.0f}",
                                               f"{rate / bare_rate:.3f}", f"{bare_rate:,.0f}"))
                print(lines[-1], flush=True)
            after = uptime()
        finally:
            for process in reversed(processes):
                process.terminate()
                process.wait(timeout=30)
    text = "\n".join([f"`{support.command('pages.py')}`, {support.cpus()} CPUs, PostgreSQL, wrk -t2 -c16 "
                      f"-d{options.seconds}s per page, the bare page just before each, each warmed by "
                      f"{options.warm} s of wrk first; {options.worker_class or 'sync'} workers.",
                      "",
                      f"Load before: `{before}`; after: `{after}`.", "", *lines])
    print(text)
    if options.write:
        support.write_results(MARKERS, text)


if __name__ == "__main__":
    main()
