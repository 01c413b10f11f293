"""Error answers: JSON for the API, pages for people. A 500 rolls the session back."""
from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.domain.errors import ConsortError
from app.extensions import db

_PAGE_TITLES = {
    400: "There is a problem with the request",
    401: "Sign in to continue",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not available here",
    409: "That cannot be done now",
    413: "The upload is too large",
    422: "There is a problem with what you entered",
    500: "Sorry, there is a problem with the service",
}
_CODES = {400: "bad_request", 401: "unauthorised", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
          422: "validation_failed", 429: "too_many_requests", 500: "server_error"}


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/stripe/")) or request.path == "/healthz"  # the API document's own


def json_error(status: int, message: str, code: str | None = None, fields: dict | None = None):
    return {"error": code or _CODES.get(status, "error"), "message": message, "fields": fields or {}}, status


def page_error(status: int, message: str):
    title = _PAGE_TITLES.get(status, "There is a problem")
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        """U+0000 is never meaningful in a form or a query, and PostgreSQL text cannot hold it."""
        for values in (request.args, request.form):
            for key, value in values.items(multi=True):
                key = key or ""  # a multipart part whose name cannot be parsed has none; no form reads it
                if "\x00" in key or "\x00" in value:
                    name = key.replace("\x00", "")
                    message = f"The value of {name} contains a NUL character, which is not allowed. Remove it."
                    raise ConsortError(message, {name: "Must not contain the NUL character."})

    @app.errorhandler(ConsortError)
    def consort_error(error: ConsortError):
        if wants_json():
            return json_error(error.status, error.message, error.code, error.fields)
        return page_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = ("This form had expired or was sent from another site, so nothing was saved. "
                   "Go back, reload the page and try again.")
        if wants_json():
            return json_error(400, message, "csrf_failed")
        return page_error(400, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status >= 500:
            db.session.rollback()
        message = _message_for(status, error)
        answer = json_error(status, message) if wants_json() else page_error(status, message)
        if getattr(error, "valid_methods", None):  # a 405 must name the allowed methods (RFC 9110, 15.5.6)
            return (*answer, {"Allow": ", ".join(error.valid_methods)})
        return answer

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return http_error(InternalServerError())


def _message_for(status: int, error: HTTPException) -> str:
    if status == 404:
        return "There is nothing at this address. Check it, or go back to your dashboard."
    if status == 405:
        return f"{request.method} is not allowed at this address."
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        size = f" (at most {limit / 1024 / 1024:.0f} MB)" if limit else ""
        return f"The request is too large{size}. Send a smaller file or body."
    if status >= 500:
        return "Something went wrong on our side and nothing was saved. Try again in a few minutes."
    return error.description or _PAGE_TITLES.get(status, "There is a problem.")
