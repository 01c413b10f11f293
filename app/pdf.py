"""PDF documents (contracts, letters, minutes, the recommendation pack) rendered by WeasyPrint from templates.

Every document is tagged, for screen readers, and archival: PDF/A-3a (PDF/A's accessible level: a structure tree,
every glyph mapped to Unicode, fonts embedded) that also identifies itself as PDF/UA-1. Both are PDF 1.7 and ask
nothing of each other that conflicts, so one file is both; WeasyPrint writes one variant's identification, so
PDF/UA's is added to the document's XMP (app/pdf_assets/pdfua-1.xmp). The fonts are the project's own copies
(app/pdf_assets), not whatever the machine has, so the same inputs give the same bytes on any machine.
The document's dates come from the inputs (`created`), never from the clock.
"""
import hashlib
import logging
from datetime import datetime
from pathlib import Path

from flask import Response, render_template
from weasyprint import HTML

ASSETS = Path(__file__).resolve().parent / "pdf_assets"
# WeasyPrint narrates every step at INFO; the demo and the task consumer's logs need only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render(template: str, *, created: datetime, **context) -> bytes:
    """Render a template (a capability's `<capability>/pdf/...`, extending `pdf/base.html`) to tagged PDF/A-3a bytes."""
    html = render_template(template, created=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                           **context)
    return html_to_pdf(html)


PDF_VARIANT = "pdf/a-3a"
UA_IDENTIFICATION = ASSETS / "pdfua-1.xmp"


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=str(ASSETS)).write_pdf(
        pdf_variant=PDF_VARIANT, pdf_tags=True, xmp_metadata=[str(UA_IDENTIFICATION)])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def response(data: bytes, filename: str, sha256: str | None = None) -> Response:
    """A PDF for the browser to show, never cached by a shared cache; with its SHA-256 in a header when known."""
    answer = Response(data, mimetype="application/pdf")
    answer.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    answer.headers["Cache-Control"] = "private, no-store"
    if sha256:
        answer.headers["X-Content-SHA256"] = sha256
    return answer
