"""Absolute links for e-mails and open data, built from PUBLIC_BASE_URL, inside a request or not."""
from flask import current_app, has_request_context, url_for


def public_url(endpoint: str, **values) -> str:
    if has_request_context():
        path = url_for(endpoint, **values)
    else:  # a CLI command or a background task: no request to build the path from
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
