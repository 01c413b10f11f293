"""The check every journey gets (support.accessibility_problems) finds what it is there to find: axe-core's WCAG
violations at both widths, a phone's sideways scrolling, an error page; and passes a page that has none of them."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.support import ARTIFACTS, accessibility_problems

PAGES = {
    "/bad": b'<!doctype html><html><head><title>Bad</title></head><body><main><img src="/none.png">'
            b'<div style="width: 900px">A page wider than a phone</div></main></body></html>',
    "/good": b'<!doctype html><html lang="en-GB"><head><title>Good</title>'
             b'<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
             b'<body><main><h1>Good</h1><p>Nothing wrong here.</p></main></body></html>',
    # An image without a text alternative that only a phone's layout shows.
    "/phone-only": b'<!doctype html><html lang="en-GB"><head><title>Phone only</title>'
                   b'<meta name="viewport" content="width=device-width, initial-scale=1">'
                   b'<style>img { display: none } @media (max-width: 600px) { img { display: block } }</style>'
                   b'</head><body><main><h1>Phone only</h1><img src="/none.png"></main></body></html>',
}


class Pages(BaseHTTPRequestHandler):
    def do_GET(self):
        body = PAGES.get(self.path)
        self.send_response(200 if body else 500)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body or b"<!doctype html><title>Error</title>")

    def log_message(self, *args):
        pass


@pytest.fixture
def pages_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def unchecked(browser):
    return getattr(browser.new_context, "__wrapped__", browser.new_context)


def test_the_check_reports_axe_violations_at_both_widths_and_sideways_scrolling(browser, pages_server):
    problems = accessibility_problems(unchecked(browser), {}, [f"{pages_server}/bad#top"], "check-bad")

    for width in (1280, 390):
        assert any(f"at {width} px: image-alt" in p for p in problems), problems
        assert any(f"at {width} px: html-has-lang" in p for p in problems), problems
    assert any("at 390 px scrolls sideways by" in p for p in problems), problems
    assert any("at 320 px scrolls sideways by" in p for p in problems), problems
    assert not any("at 1280 px scrolls sideways" in p for p in problems)
    assert (ARTIFACTS / "check-bad" / "00-bad-390.png").exists()


def test_the_check_reports_a_server_error_and_passes_a_good_page(browser, pages_server):
    problems = accessibility_problems(unchecked(browser), {}, [f"{pages_server}/good", f"{pages_server}/broken",
                                                               f"{pages_server}/good"], "check-good")

    assert problems == [f"{pages_server}/broken answers 500"]  # once: a page is loaded once, at 1280 px


def test_a_violation_only_the_phones_layout_shows_is_found_at_its_width_alone(browser, pages_server):
    problems = accessibility_problems(unchecked(browser), {}, [f"{pages_server}/phone-only"], "check-phone")

    assert [p.split(": ")[0] for p in problems] == [f"{pages_server}/phone-only at 390 px"], problems
    assert "image-alt" in problems[0]
