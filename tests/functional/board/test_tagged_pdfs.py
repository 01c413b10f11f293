"""Every PDF Consort writes is tagged for screen readers and archival: the board pack, the minutes, the standstill
letter and the contract, read back with pypdf, each carry a structure tree, say they are marked, name their language
and identify as PDF/A-3a and PDF/UA-1; and a table row is never split across two pages."""
import io
import re
from pathlib import Path

from pypdf import PdfReader

from app import pdf
from tests.functional.board.test_board_api import approved, end_standstill, run, world  # noqa: F401 - fixtures
from tests.functional.board.test_board_pages import browser
from tests.support import csrf_token


def assert_tagged(data: bytes, *expected_text: str) -> None:
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "en-GB" and bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    tree = catalog["/StructTreeRoot"].get_object()
    assert tree["/K"], "the structure tree is empty"
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in expected_text:
        assert expected in text, expected


def test_the_pack_minutes_letter_and_contract_are_tagged_pdfs(app, world, run):  # noqa: F811
    framework, _, record = approved(world, run)
    admin = browser(app, world, "admin")
    pack = admin.get(f"/award-runs/{record['id']}/recommendation.pdf")
    assert_tagged(pack.data, "Recommendation to the board", framework["reference"])
    minutes = admin.get(f"/award-runs/{record['id']}/minutes.pdf")
    assert_tagged(minutes.data, "approved", "Sound award.")
    winner = "supplier" if record["awards"][0]["supplier_id"] == world.organisation_id("supplier") else "other_supplier"
    letter = browser(app, world, winner).get(f"/frameworks/{framework['id']}/standstill-letter")
    assert_tagged(letter.data, "Assessment summary", "Your bid is to be awarded this lot.")
    end_standstill(framework["id"])
    award_path = f"/frameworks/{framework['id']}/award-framework"
    assert admin.post(award_path, data={"csrf_token": csrf_token(admin, award_path), "confirm": "y"}).status_code == 302
    listing = admin.get(f"/frameworks/{framework['id']}/contracts").get_data(as_text=True)
    contract_id = re.search(r'href="/contracts/(\d+)"', listing).group(1)
    contract = admin.get(f"/contracts/{contract_id}/pdf")
    assert contract.mimetype == "application/pdf"
    assert_tagged(contract.data, "Framework agreement", framework["reference"], "Not yet signed.")


def test_a_table_row_is_never_split_across_pages(app):
    rows = "".join(f"<tr><td>start {n}</td><td>{'A long cell that wraps over several lines. ' * 12}end {n}</td></tr>"
                   for n in range(60))
    html = (f'<!doctype html><html lang="en-GB"><head><title>Rows</title><style>{_row_rules()}</style></head>'
            f"<body><table><thead><tr><th>Row</th><th>Text</th></tr></thead><tbody>{rows}</tbody></table></body></html>")
    reader = PdfReader(io.BytesIO(pdf.html_to_pdf(html)))
    assert len(reader.pages) > 3
    for page in reader.pages:
        text = " ".join(page.extract_text().split())
        starts = set(re.findall(r"start (\d+)", text))
        assert starts == set(re.findall(r"end (\d+)", text)), "a row began on one page and ended on another"
        assert "Row Text" in text  # the header row repeats on every page


def _row_rules() -> str:
    """The rules of the documents' own stylesheet that keep rows whole (the one in pdf/base.html)."""
    base = (Path(pdf.__file__).resolve().parent / "templates" / "pdf" / "base.html").read_text()
    return "\n".join(line for line in base.splitlines() if line.strip().startswith(("tr {", "thead {", "table {")))
