"""Helpers the HTML views share for forms: service errors onto fields, 422 for a form with errors."""
from urllib.parse import urlsplit

from flask import render_template, request
from flask_wtf import FlaskForm

from app.domain.errors import ConsortError


def attach_errors(form: FlaskForm, error: ConsortError) -> None:
    """Show a service's field errors beside the fields, and the rest above the form."""
    placed = False
    for name, message in error.fields.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
        else:
            form.form_errors.append(message)
            placed = True
    if not placed:
        form.form_errors.append(error.message)


def render_form(template: str, form: FlaskForm, **context):
    """Render a page with a form; 422 when it was posted and has errors, so tools see the failure too."""
    has_errors = bool(form.errors) or bool(form.form_errors)
    status = 422 if request.method == "POST" and has_errors else 200
    return render_template(template, form=form, **context), status


def safe_next(target: str | None, default: str) -> str:
    """Only redirect to a path on this site after sign-in."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
