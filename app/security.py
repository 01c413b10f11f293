"""Security headers on every answer: a Content-Security-Policy with no inline script, no framing, no sniffing, the
referrer kept on this site, HSTS when cookies are secure, and no caching of signed-in pages and API answers."""
from flask import Flask, current_app, g, request
from flask_login import current_user

# Origins a page may add to its policy by calling csp_allow(name) in its template, beside the script that needs it.
EXTRA_SOURCES = {
    "stripe": {"script-src": "https://js.stripe.com", "frame-src": "https://js.stripe.com",
               "connect-src": "https://api.stripe.com"},
}
BASE_POLICY = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
    "font-src": "'self'", "connect-src": "'self'", "frame-src": "'none'", "object-src": "'none'",
    "base-uri": "'self'", "form-action": "'self'", "frame-ancestors": "'none'",
}
ONE_YEAR = 365 * 24 * 3600


def csp_allow(name: str) -> str:
    """Let this page load what `EXTRA_SOURCES[name]` names (called from a template; renders nothing)."""
    g.setdefault("csp_extra", set()).add(name)
    return ""


def policy(extra: set[str]) -> str:
    directives = dict(BASE_POLICY)
    for name in sorted(extra):
        for directive, source in EXTRA_SOURCES[name].items():
            directives[directive] = source if directives[directive] == "'none'" else f"{directives[directive]} {source}"
    return "; ".join(f"{directive} {sources}" for directive, sources in directives.items())


def _headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", policy(g.get("csp_extra", set())))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", f"max-age={ONE_YEAR}; includeSubDomains")
    if "Cache-Control" not in headers and (request.path.startswith("/api/") or signed_in()):
        headers["Cache-Control"] = "no-store"
    return response


def signed_in() -> bool:
    try:
        return bool(current_user and current_user.is_authenticated)
    except Exception:
        return False


def register(app: Flask) -> None:
    app.after_request(_headers)
    app.add_template_global(csp_allow, "csp_allow")
