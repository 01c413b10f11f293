"""deadline_surge.py's servers and client: gunicorn on the benchmark's database behind nginx (deploy/'s
configurations) with Redis for the task queue, their logs read back, one HTTP request as the suppliers send it, and
the records of what each supplier sent and was answered."""
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import support

FAST_HASH = "pbkdf2:sha256:1"  # the benchmark is about bids, not sign-in
LATE_MESSAGE = "The bid deadline has passed"  # the start of bidding.deadline_problem's answer
GRACE_EXCEEDED = "deadline_grace_exceeded"  # the 503's error code
CLIENT_TIMEOUT = 300  # seconds, as nginx's proxy_read_timeout: past the grace, the server answers 503 before it


@dataclass
class Call:
    """One HTTP request: its answer, and when it was sent and answered (wall clock, as the server's utcnow)."""

    status: int = 0  # 0: no answer (the connection broke)
    body: dict = field(default_factory=dict)
    latency: float = 0.0  # seconds, from sending to the last byte of the answer
    sent: datetime | None = None
    answered: datetime | None = None
    error: str | None = None
    request_id: str = ""
    arrived: datetime | None = None  # when it reached nginx (its first byte); without nginx, when it was sent


@dataclass
class Outcome:
    supplier: int  # its organisation's id
    email: str
    token: str
    lots: list[dict]
    scheduled: float  # seconds relative to the deadline
    draft: Call | None = None
    submit: Call | None = None

    @property
    def bid_id(self) -> int | None:
        return self.draft.body.get("id") if self.draft and self.draft.status == 201 else None

    @property
    def deciding(self) -> Call | None:
        """The request whose answer decided the outcome: the submission if there was one, else the draft."""
        return self.submit or self.draft

    def kind(self) -> str:
        draft, submit = self.draft, self.submit
        if draft is None or draft.error or (submit is not None and submit.error):
            return "error"
        if draft.status == 201 and submit is not None and submit.status == 200:
            return "accepted"
        if draft.status == 201 and submit is not None and is_late_refusal(submit):
            return "refused at submit"
        if is_late_refusal(draft):
            return "refused at draft"
        if past_the_grace(submit if draft.status == 201 and submit is not None else draft):
            return "refused past the grace"
        return "error"  # any other answer is unexpected here


def is_late_refusal(call: Call) -> bool:
    return call.status == 409 and str(call.body.get("message", "")).startswith(LATE_MESSAGE)


def past_the_grace(call: Call) -> bool:
    """503 deadline_grace_exceeded: received in time, but not written within DEADLINE_GRACE_SECONDS of the deadline."""
    return call.status == 503 and call.body.get("error") == GRACE_EXCEEDED


# --- the servers: gunicorn, nginx in front of it, Redis for the task queue -------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(process: subprocess.Popen, port: int, path: str | None, what: str, log: Path) -> None:
    """Until the server answers on its port (200 to `path`, or a connection at all), or gives up."""
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}; see {log}")
        try:
            if path is None:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"{what} did not answer; see {log}")


def start_redis(port: int, log: Path) -> subprocess.Popen:
    """A throw-away Redis for the task queue (as deploy/README.md's layout has), nothing saved to disk."""
    with log.open("ab") as output:
        process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no"], stdout=output, stderr=subprocess.STDOUT)
    _wait(process, port, None, "redis-server", log)
    return process


def start_gunicorn(app_root: Path, env: dict, workers: int, worker_class: str, threads: int, port: int,
                   log: Path, profile: Path | None = None) -> subprocess.Popen:
    """gunicorn with deploy/gunicorn.conf.py (this checkout's), serving `app_root`'s wsgi:app, with the workers, the
    worker class and the port of this run; with `profile`, through surge_profile.py's profiler into that folder."""
    env = os.environ | env | {"CONSORT_BIND": f"127.0.0.1:{port}", "CONSORT_WORKERS": str(workers)}
    env.pop("MAIL_SERVER", None)  # mail is kept in the outbox; no consumer runs here, so none is sent
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "-c", str(support.ROOT / "deploy" / "gunicorn.conf.py"), "-k", worker_class,
               "--log-level", "info", "--access-logfile", "/dev/null", "wsgi:app"]
    # A sync worker with threads set (deploy/'s file sets them) would be made a gthread one: 1 keeps it sync.
    command[-1:-1] = ["--threads", str(threads if worker_class == "gthread" else 1)]
    if profile is not None:
        env["SURGE_PROFILE_DIR"] = str(profile)
        command[-1:] = ["--pythonpath", str(support.ROOT / "benchmarks"), "surge_profile:app"]
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=app_root, env=env, stdout=output, stderr=subprocess.STDOUT)
    _wait(process, port, "/healthz", "gunicorn", log)
    return process


ARRIVALS = "surge"  # the access log's format: which request, when nginx read its first byte, and what it answered


def start_nginx(folder: Path, port: int, app_port: int, log: Path) -> subprocess.Popen:
    """nginx with deploy/nginx-consort.conf, only its two ports and its cache folder changed (as
    tests/integration/test_behind_nginx.py runs it), and an access log of every request's arrival: $msec -
    $request_time is when nginx read its first byte; the X-Request-Start it stamps for the app is when it had
    the whole body, the same millisecond here."""
    site = (support.ROOT / "deploy" / "nginx-consort.conf").read_text()
    assert "server 127.0.0.1:8000;" in site and "listen 80;" in site
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};").replace(
        "listen 80;", f"listen 127.0.0.1:{port} backlog=4096;").replace(
        "/var/cache/nginx/consort", str(folder / "cache"))
    (folder / "site.conf").write_text(site)
    temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                       "scgi"))
    (folder / "nginx.conf").write_text(
        f"{'user root;' if os.geteuid() == 0 else ''} daemon off; worker_processes 1; pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'nginx-error.log'};\nevents {{ worker_connections 4096; }}\n"
        f"http {{ log_format {ARRIVALS} '$http_x_surge_request $msec $request_time $status'; "
        f"access_log {folder / 'access.log'} {ARRIVALS}; {temp} include {folder / 'site.conf'}; }}\n")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    with log.open("ab") as output:
        process = subprocess.Popen([nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")], stdout=output,
                                   stderr=subprocess.STDOUT)
    _wait(process, port, "/healthz", "nginx", log)
    return process


def arrivals(access_log: Path) -> dict[str, tuple[datetime, int]]:
    """Each benchmark request's arrival at nginx and the status nginx answered, by its X-Surge-Request."""
    found = {}
    for line in access_log.read_text().splitlines():
        request_id, msec, request_time, status = line.split()
        if request_id != "-":
            found[request_id] = (datetime.fromtimestamp(float(msec) - float(request_time), UTC), int(status))
    return found


def call(port: int, method: str, path: str, token: str, body: dict | None = None, request_id: str = "") -> Call:
    """One request on its own connection (gunicorn's sync workers close every connection), never retried: a
    POST that may have been applied must not be sent twice, and a broken connection is an error to report."""
    result = Call()
    payload = json.dumps(body or {})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "X-Surge-Request": request_id}
    result.request_id = request_id
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
    result.sent = datetime.now(UTC)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        result.latency = time.perf_counter() - started
        result.answered = datetime.now(UTC)
        result.status = response.status
        try:
            result.body = json.loads(data or b"{}")
        except ValueError:
            result.error = f"not JSON: {data[:200]!r}"
    except (OSError, http.client.HTTPException) as error:
        result.latency = time.perf_counter() - started
        result.answered = datetime.now(UTC)
        result.error = repr(error)
    finally:
        connection.close()
    return result


def server_errors(log: Path) -> list[str]:
    """Tracebacks and worker trouble in gunicorn's log."""
    text = log.read_text(errors="replace") if log.exists() else ""
    found = [m.group(0) for m in re.finditer(r"(?m)^.*(Traceback|Unhandled error|WORKER TIMEOUT|Worker .* was sent "
                                             r"SIG|deadlock detected).*$", text)]
    return found

