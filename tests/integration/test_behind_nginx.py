"""The production layout, for real: gunicorn with deploy/gunicorn.conf.py behind nginx with deploy/nginx-consort.conf
(only the two loopback ports changed), on the suite's database. nginx stamps when a request reached it, and the
app judges bids by that stamp, never by one a client sends; nginx refuses a body larger than the app takes."""
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import update

from app.extensions import db
from frameworks.models import Framework
from tests.functional.bids_support import create, moment
from tests.functional.frameworks_support import World
from tests.support import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CACHE = "/var/cache/nginx/consort"  # the site's cache of public pages; the test's own folder here


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, processes: list, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
            pytest.fail(f"{url} did not answer")
        time.sleep(0.2)


@pytest.fixture
def behind_nginx(app, database_url, tmp_path):
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: `make test` installs it (scripts/system-packages)")
    app_port, nginx_port = _free_port(), _free_port()
    env = os.environ | {
        "DATABASE_URL": database_url, "SECRET_KEY": app.config["SECRET_KEY"], "TRUSTED_PROXIES": "127.0.0.1",
        "CONSORT_BIND": f"127.0.0.1:{app_port}", "CONSORT_WORKERS": "2", "MAIL_SEND_INLINE": "1",
        "AUDIT_SIGNING_KEY": app.config["AUDIT_SIGNING_KEY"],
        "PASSWORD_HASH_METHOD": app.config["PASSWORD_HASH_METHOD"],
        "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3"), "DOCUMENT_STORE": str(tmp_path / "documents")}
    logs = open(tmp_path / "servers.log", "wb")  # noqa: SIM115 - open while the servers run, closed below
    gunicorn = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py",
                                 "wsgi:app"], cwd=ROOT, env=env, stdout=logs, stderr=subprocess.STDOUT)
    site = (ROOT / "deploy" / "nginx-consort.conf").read_text()
    assert "server 127.0.0.1:8000;" in site and "listen 80;" in site and CACHE in site
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};").replace(
        "listen 80;", f"listen 127.0.0.1:{nginx_port};").replace(CACHE, str(tmp_path / "cache"))
    (tmp_path / "site.conf").write_text(site)
    temp = " ".join(f"{kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                         "scgi"))
    (tmp_path / "nginx.conf").write_text(
        f"{'user root;' if os.geteuid() == 0 else ''} daemon off; worker_processes 1; pid {tmp_path / 'nginx.pid'};\n"
        f"error_log {tmp_path / 'nginx-error.log'};\nevents {{ worker_connections 64; }}\n"
        f"http {{ access_log off; {temp} include {tmp_path / 'site.conf'}; }}\n")
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], stdout=logs,
                             stderr=subprocess.STDOUT)
    try:
        _wait_for(f"http://127.0.0.1:{nginx_port}/healthz", [gunicorn, nginx])
        yield f"http://127.0.0.1:{nginx_port}"
    finally:
        for process in (nginx, gunicorn):
            process.terminate()
            process.wait(timeout=20)
        logs.close()


def _token(base: str, email: str) -> dict:
    answer = requests.post(f"{base}/api/v1/tokens", json={"email": email, "password": PASSWORD}, timeout=30)
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_nginx_stamps_the_arrival_and_a_clients_own_stamp_is_not_believed(app, client, make_user, behind_nginx):
    world = World(client, make_user)
    framework, lot = world.published()
    first = create(world, framework, lot)
    headers = _token(behind_nginx, world.user("supplier").email)

    sent = datetime.now(UTC)
    answer = requests.post(f"{behind_nginx}/api/v1/bids/{first['id']}/submit", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    receipt = answer.json()["receipt"]
    assert sent - timedelta(seconds=1) <= moment(receipt["submitted_at"]) <= moment(receipt["written_at"])

    # The deadline passed 30 seconds ago; a client claims its request left an hour ago. nginx sets the header itself.
    deadline = datetime.now(UTC) - timedelta(seconds=30)
    db.session.execute(update(Framework).where(Framework.id == framework["id"]).values(
        question_deadline=deadline - timedelta(days=1), bid_deadline=deadline))
    db.session.commit()
    forged = f"t={(deadline - timedelta(hours=1)).timestamp():.3f}"
    answer = requests.post(f"{behind_nginx}/api/v1/bids/{first['id']}/withdraw", timeout=30,
                           headers=headers | {"X-Request-Start": forged, "X-Forwarded-For": "198.51.100.7"})
    assert answer.status_code == 409, answer.text


def test_nginx_refuses_a_body_larger_than_the_app_takes(app, behind_nginx):
    answer = requests.post(f"{behind_nginx}/api/v1/tokens", data=b"x" * (22 * 1024 * 1024),
                           headers={"Content-Type": "application/json"}, timeout=60)
    assert answer.status_code == 413


def test_nginx_keeps_a_public_page_and_never_a_signed_in_one(app, client, make_user, behind_nginx):
    World(client, make_user).published()
    answers = [requests.get(f"{behind_nginx}/opportunities", timeout=30) for _ in range(2)]
    assert [a.headers["X-Cache-Status"] for a in answers] == ["MISS", "HIT"], answers[0].headers
    signed_in = requests.get(f"{behind_nginx}/opportunities", cookies={"session": "anything"}, timeout=30)
    assert signed_in.headers["X-Cache-Status"] == "BYPASS"
    token = requests.get(f"{behind_nginx}/api/v1/ocds/releases", headers={"Authorization": "Bearer x"}, timeout=30)
    assert token.headers["X-Cache-Status"] == "BYPASS"


def test_nginx_sends_every_other_page_straight_to_the_app(app, behind_nginx):
    """Not through the cache, whose lock would make each visitor without a cookie wait for the one before."""
    for path in ("/sign-in", "/healthz", "/api/v1/openapi.json"):
        answer = requests.get(f"{behind_nginx}{path}", timeout=30)
        assert answer.status_code == 200 and "X-Cache-Status" not in answer.headers, (path, answer.headers)
    answer = requests.get(f"{behind_nginx}/api/v1/me", headers={"Authorization": "Bearer x"}, timeout=30)
    assert answer.status_code == 401 and "X-Cache-Status" not in answer.headers


def test_the_sites_cache_takes_the_public_pages_and_no_other(app):
    """Every view served as public (app/caching.py) is at an address the site's cache takes; no other GET is."""
    cached = re.compile(re.search(r"location ~ (\S+) \{", (ROOT / "deploy" / "nginx-consort.conf").read_text())[1])
    public, other = set(), set()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            path = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
            (public if getattr(app.view_functions[rule.endpoint], "public", False) else other).add(path)
    assert {"/opportunities", "/opportunities/1", "/opportunities/1/ocds.json", "/api/v1/ocds/releases"} <= public
    assert [path for path in sorted(public) if not cached.match(path)] == []
    assert [path for path in sorted(other) if cached.match(path)] == []
