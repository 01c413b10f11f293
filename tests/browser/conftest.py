"""A live server and headless Chromium (Debian's, driven by Playwright) for browser journeys."""
import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.support import check_every_context, watch_csp

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free loopback port, for as long as the test runs."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def accessible(browser, request):
    """Every page the journey visits, in any of its browser contexts, has no WCAG 2.2 A or AA violation that
    axe-core finds, at 1280 px and at 390 px, and does not scroll sideways on the phone (see support.py)."""
    problems: list[str] = []
    restore = check_every_context(browser, request.node.name, problems)
    yield problems
    restore()
    assert problems == [], "\n".join(["axe-core and the phone's width found:", *problems])


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    refused = watch_csp(page)
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert refused == [], f"the Content-Security-Policy refused: {refused}"
