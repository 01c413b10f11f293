"""The recommendation pack is rendered once, when the award is recommended, and every later request is served
that stored copy with its fingerprint; before the recommendation an admin's preview is rendered afresh."""
import hashlib

from app import pdf
from tests.functional.board.test_board_api import recommend, run, world  # noqa: F401 - fixtures
from tests.functional.board.test_board_pages import browser


def test_the_pack_is_rendered_once_at_the_recommendation_and_served_from_the_store(app, world, run, monkeypatch):  # noqa: F811
    _, _, record = run
    renders = []
    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: renders.append(1) or real(html))
    admin = browser(app, world, "admin")
    path = f"/award-runs/{record['id']}/recommendation.pdf"
    preview = admin.get(path)
    assert preview.status_code == 200 and "X-Content-SHA256" not in preview.headers and len(renders) == 1
    recommend(world, record)
    assert len(renders) == 2  # the one rendering the recommendation stores
    answers = [admin.get(path), browser(app, world, "board").get(path), admin.get(path)]
    assert len(renders) == 2, "a request rendered the stored pack again"
    stored = answers[0].data
    assert all(a.status_code == 200 and a.data == stored for a in answers)
    assert answers[0].headers["X-Content-SHA256"] == hashlib.sha256(stored).hexdigest()
    assert browser(app, world, "supplier").get(path).status_code == 403
