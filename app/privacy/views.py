"""The public privacy notice, and the admins' record of processing with its CSV and PDF exports."""
from flask import Blueprint, render_template

from app import pdf
from app.accounts.access import role_required
from app.csvfiles import csv_response
from app.domain.processing import CSV_HEADER, as_rows
from app.domain.roles import Role
from app.privacy import record
from app.types import utcnow

bp = Blueprint("privacy", __name__, template_folder="templates")


@bp.get("/privacy")
def notice():
    """The privacy notice, rendered from the record of processing."""
    return render_template("privacy/notice.html", purposes=record.purposes())


@bp.get("/admin/record-of-processing")
@role_required(Role.ADMIN)
def record_page():
    """The record of processing (UK GDPR Art. 30)."""
    return render_template("privacy/record.html", purposes=record.purposes())


@bp.get("/admin/record-of-processing.csv")
@role_required(Role.ADMIN)
def record_csv():
    """The record of processing as a spreadsheet."""
    return csv_response("record-of-processing.csv", CSV_HEADER, as_rows(record.purposes()))


@bp.get("/admin/record-of-processing.pdf")
@role_required(Role.ADMIN)
def record_pdf():
    """The record of processing as a PDF, for the file or a regulator."""
    now = utcnow()
    data = pdf.render("privacy/pdf/record.html", created=now, purposes=record.purposes(),
                      as_of=now.date().isoformat())
    return pdf.response(data, "record-of-processing.pdf")
