"""The record of processing: the public privacy notice rendered from it, the admins' page and its CSV and PDF."""
import csv
import io
from html import unescape

import pytest
from pypdf import PdfReader

from app.domain.processing import PURPOSES
from tests.support import sign_in


@pytest.fixture
def admin_client(app, make_user):
    make_user("ada@ldpc.example", "admin", org="London Digital Purchasing Consortium")
    client = app.test_client()
    assert sign_in(client, "ada@ldpc.example").status_code == 302
    return client


def test_the_privacy_notice_lists_every_purpose_of_the_record_with_its_basis_and_retention(client):
    page = client.get("/privacy")
    assert page.status_code == 200
    text = unescape(page.get_data(as_text=True))
    for purpose in PURPOSES:
        assert purpose.name in text
        assert purpose.retention.describe() in text
        for recipient in purpose.recipients:
            assert recipient in text
    assert text.count("Lawful basis") == len(PURPOSES)


def test_every_page_links_to_the_privacy_notice_from_its_footer(client):
    footer = client.get("/sign-in").get_data(as_text=True).split('class="site-footer"')[1]
    assert 'href="/privacy"' in footer


def test_a_configured_retention_period_shows_on_the_notice_and_the_record(app, client, admin_client):
    app.config["RETENTION_YEARS"] = {"evaluation": 9}
    for page in (client.get("/privacy"), admin_client.get("/admin/record-of-processing")):
        assert "The framework's term plus 9 years" in unescape(page.get_data(as_text=True))


def test_the_record_exports_every_purpose_as_csv(admin_client):
    answer = admin_client.get("/admin/record-of-processing.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [row["purpose"] for row in rows] == [p.key for p in PURPOSES]
    assert rows[0]["lawful basis"] == PURPOSES[0].lawful_basis


def test_the_record_exports_as_a_readable_pdf(admin_client):
    answer = admin_client.get("/admin/record-of-processing.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(answer.data)).pages)
    for purpose in PURPOSES:
        assert purpose.name in text


@pytest.mark.parametrize("path", ["/admin/record-of-processing", "/admin/record-of-processing.csv",
                                  "/admin/record-of-processing.pdf"])
def test_only_admins_see_the_record(app, make_user, path):
    make_user("olivia@camden.gov.uk", "officer")
    client = app.test_client()
    sign_in(client, "olivia@camden.gov.uk")
    assert client.get(path).status_code == 403
