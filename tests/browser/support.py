"""What journeys with several people share: a signed-in page of one's own, screenshots when a step fails, and
axe-core run on every page a journey visits."""
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

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


# --- Every page a journey visits, checked with axe-core at a desktop's width and a phone's -------------------------

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390, "small phone": 320}  # the last for WCAG 2.2's reflow: no sideways scrolling
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
RUN_AXE = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
SIDEWAYS = "document.documentElement.scrollWidth - window.innerWidth"


def axe_script() -> str:
    if not AXE.exists():
        raise RuntimeError("axe-core is not installed: run `make test`, or `npm ci --prefix tests/browser`")
    return AXE.read_text()


def record_visits(context, visited: list[str]) -> None:
    """Note the address of every page that loads in the context, in its own tabs as they open."""
    def watch(page):
        page.on("load", lambda loaded: visited.append(loaded.url))
    for page in context.pages:
        watch(page)
    context.on("page", watch)


def _described(violation: dict) -> str:
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}"


def _slug(url: str) -> str:
    path = urlsplit(url)
    return (path.path.strip("/").replace("/", "_") or "home") + (f"_{path.query}" if path.query else "")


def accessibility_problems(new_context, storage_state, visited: list[str], name: str) -> list[str]:
    """Open each page visited again, as the same person: what axe-core finds against WCAG 2.2 A and AA at 1280 px
    and at 390 px, whether a phone (390 px or 320 px) must scroll sideways, and a screenshot of the top of each at
    1280 px and 390 px in test-artifacts/<test>/. Each page is loaded once and laid out again at each width without
    a reload: its CSS answers the width alone (no script of the site reads it)."""
    script, problems = axe_script(), []
    addresses = list(dict.fromkeys(url.split("#")[0] for url in visited if url.startswith("http")))
    folder = ARTIFACTS / name
    folder.mkdir(parents=True, exist_ok=True)
    context = new_context(storage_state=storage_state, bypass_csp=True,
                          viewport={"width": WIDTHS["desktop"], "height": 900})
    probe = context.new_page()
    try:
        for index, url in enumerate(addresses):
            response = probe.goto(url)
            if response is None or "text/html" not in (response.headers.get("content-type") or ""):
                continue
            if response.status >= 500:
                problems.append(f"{url} answers {response.status}")
                continue
            probe.evaluate(script)
            for width in (WIDTHS["desktop"], WIDTHS["phone"]):
                probe.set_viewport_size({"width": width, "height": 900})
                found = probe.evaluate(RUN_AXE, WCAG_A_AA)["violations"]
                problems += [f"{url} at {width} px: {_described(v)}" for v in found]
                probe.screenshot(path=folder / f"{index:02d}-{_slug(url)[:80]}-{width}.png")
            for narrow in (WIDTHS["phone"], WIDTHS["small phone"]):
                probe.set_viewport_size({"width": narrow, "height": 900})
                if (overflow := probe.evaluate(SIDEWAYS)) > 0:
                    problems.append(f"{url} at {narrow} px scrolls sideways by {overflow} px")
    finally:
        context.close()
    return problems


def check_every_context(browser, name: str, problems: list[str]):
    """Make every context the browser opens check its pages with axe-core when it closes (see
    accessibility_problems). Returns the function that puts the browser back as it was."""
    original = browser.new_context

    def new_context(**options):
        context = original(**options)
        visited: list[str] = []
        record_visits(context, visited)
        close = context.close

        def checked_close(**close_options):
            if visited:
                problems.extend(accessibility_problems(original, context.storage_state(), visited, name))
            close(**close_options)

        context.close = checked_close
        return context

    new_context.__wrapped__ = original
    browser.new_context = new_context
    return lambda: setattr(browser, "new_context", original)
