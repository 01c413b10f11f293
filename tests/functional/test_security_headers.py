"""Every answer carries the security headers: a Content-Security-Policy with no inline script and no framing,
nosniff, a same-origin referrer, HSTS when cookies are secure, and no caching of signed-in pages or API answers."""
import re

import pytest

from app.security import policy
from tests.functional.frameworks_support import World
from tests.support import sign_in

TEMPLATE_FOLDERS = ["app", "frameworks", "suppliers", "procurement", "consort"]


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def _policy(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))


@pytest.mark.parametrize("path", ["/opportunities", "/sign-in", "/healthz", "/api/v1/openapi.json", "/no-such-page"])
def test_public_answers_carry_the_headers(client, path):
    response = client.get(path)
    csp = _policy(response)
    assert csp["script-src"] == "'self'" and "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # cookies are not secure here


def test_signed_in_pages_and_api_answers_are_not_cached(app, world):
    world.user("officer")
    page = app.test_client()
    assert sign_in(page, "olu@camden.gov.uk").status_code == 302
    assert page.get("/").headers["Cache-Control"] == "no-store"
    assert world.get("officer", "/api/v1/requirements").headers["Cache-Control"] == "no-store"
    assert "no-store" not in (app.test_client().get("/opportunities").headers.get("Cache-Control") or "")


def test_hsts_is_sent_when_cookies_are_secure(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        assert client.get("/opportunities").headers["Strict-Transport-Security"].startswith("max-age=31536000")
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False


def test_only_the_payment_page_may_load_stripe():
    assert "stripe" not in policy(set())
    stripe = policy({"stripe"})
    assert "script-src 'self' https://js.stripe.com" in stripe and "frame-src https://js.stripe.com" in stripe


def test_no_template_has_an_inline_script_or_handler():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for folder in TEMPLATE_FOLDERS:
        for template in (root / folder).rglob("templates/**/*.html"):
            if "/pdf/" in str(template):
                continue  # rendered to PDF, never served as a page
            text = template.read_text()
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=", text) \
                    or re.search(r'\sstyle\s*=\s*"', text):
                offenders.append(str(template.relative_to(root)))
    assert offenders == []
