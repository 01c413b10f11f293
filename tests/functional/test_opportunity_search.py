"""Searching the opportunities: PostgreSQL's English text search on its GIN index, a LIKE on SQLite, and for simple
words the same frameworks found on both (the suite runs on each)."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from app.extensions import db
from app.types import utcnow
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework

FRAMEWORKS = {
    "SRCH-0001": ("Opportunity 1: Cloud hosting and backup",
                  "Hosting for line-of-business systems, with off-site backup."),
    "SRCH-0002": ("Opportunity 2: Managed print",
                  "Multifunction devices in the cloud, with maintenance and consumables."),
    "SRCH-0003": ("Opportunity 3: Desk telephony", "Handsets and lines for council offices."),
    "SRCH-0004": ("Opportunity 4: Cyber security services", "Penetration testing and a security operations centre."),
}


@pytest.fixture
def published(app):
    now = utcnow()
    for reference, (title, description) in FRAMEWORKS.items():
        db.session.add(Framework(reference=reference, title=title, description=description,
                                 status=FrameworkStatus.OPEN, maximum_value=Decimal(1_000_000),
                                 bid_deadline=now + timedelta(days=20), question_deadline=now + timedelta(days=10),
                                 duration_months=24, published_at=now))
    db.session.commit()


def found(client, words: str) -> set[str]:
    """The references of the frameworks the public search page lists for the words."""
    response = client.get("/opportunities", query_string={"q": words, "status": "all"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return {reference for reference, (title, _) in FRAMEWORKS.items() if title in page}


@pytest.mark.parametrize(("words", "expected"), [
    ("cloud", {"SRCH-0001", "SRCH-0002"}),  # one in the title, one in the description
    ("Cloud", {"SRCH-0001", "SRCH-0002"}),
    ("  CLOUD ", {"SRCH-0001", "SRCH-0002"}),
    ("backup", {"SRCH-0001"}),
    ("security", {"SRCH-0004"}),
    ("council offices", {"SRCH-0003"}),
    ("handsets", {"SRCH-0003"}),
    ("SRCH-0002", {"SRCH-0002"}),  # a reference
    ("kiosks", set()),
])
def test_simple_words_find_the_same_frameworks_on_either_database(client, published, words, expected):
    assert found(client, words) == expected


def test_a_search_of_nothing_but_spaces_lists_every_framework(client, published):
    assert found(client, "   ") == set(FRAMEWORKS)


def test_on_postgresql_the_search_reads_the_text_search_index(app, published):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the GIN index is PostgreSQL's; SQLite searches with LIKE")
    query = frameworks.visible_query(None, search="cloud")
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    db.session.execute(text("SET LOCAL enable_seqscan = off"))  # four rows: otherwise a scan is cheaper
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert "ix_framework_search" in plan, plan
