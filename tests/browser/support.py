"""What journeys with several people share: a signed-in page of one's own, and screenshots when a step fails."""
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.browser.test_framework_journey import sign_in

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def watch_csp(page) -> list[str]:
    """Collect what the page's Content-Security-Policy refuses (Chromium says so on the console)."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.csp_refused = refused
    return refused


def as_user(browser, live_server: str, email: str):
    """A page in a browser context of its own, signed in as `email`."""
    context = browser.new_context()
    page = context.new_page()
    watch_csp(page)
    page.set_default_timeout(20_000)
    sign_in(page, live_server, email)
    return page


@contextmanager
def screenshots_on_failure(pages: list, request):
    """Run a journey; if it fails, keep a screenshot of every page open in it. Close them all at the end."""
    try:
        yield pages
        for shown in pages:
            assert getattr(shown, "csp_refused", []) == [], "the Content-Security-Policy refused something"
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        for index, shown in enumerate(pages):
            with suppress(Exception):
                shown.screenshot(path=ARTIFACTS / f"{request.node.name}-{index}.png", full_page=True)
        raise
    finally:
        for shown in pages:
            with suppress(Exception):
                shown.context.close()
