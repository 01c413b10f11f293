"""deadline_surge.py's server and client: gunicorn started on the benchmark's database and its log read back, one
HTTP request as the suppliers send it, and the records of what each supplier sent and was answered."""
import http.client
import json
import os
import re
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


@dataclass
class Call:
    """One HTTP request: its answer, and when it was sent and answered (wall clock, as the server's utcnow)."""

    status: int = 0  # 0: no answer (the connection broke)
    body: dict = field(default_factory=dict)
    latency: float = 0.0  # seconds, from sending to the last byte of the answer
    sent: datetime | None = None
    answered: datetime | None = None
    error: str | None = None


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
        return "error"  # any other answer is unexpected here


def is_late_refusal(call: Call) -> bool:
    return call.status == 409 and str(call.body.get("message", "")).startswith(LATE_MESSAGE)


# --- gunicorn and the client ----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, workers: int, port: int, log: Path) -> subprocess.Popen:
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": "benchmark", "PASSWORD_HASH_METHOD": FAST_HASH}
    env.pop("MAIL_SERVER", None)  # receipts are e-mailed to the log
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--backlog", "2048",
             "--log-level", "info", "wsgi:app"],
            cwd=support.ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"gunicorn did not answer /healthz; see {log}")


def call(port: int, method: str, path: str, token: str, body: dict | None = None) -> Call:
    """One request on its own connection (gunicorn's sync workers close every connection), never retried: a
    POST that may have been applied must not be sent twice, and a broken connection is an error to report."""
    result = Call()
    payload = json.dumps(body or {})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
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

