"""The levies page's totals by framework and month are summed in the database: the same sums, to the penny, as adding
the levies up one by one, and the page takes as many queries for 600 levies as for 6."""
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations.models import Organisation
from procurement.calloffs import services as calloffs
from procurement.calloffs.models import CallOff, Levy
from suppliers.models import Bid
from tests import ranking_lots
from tests.support import counting_queries, sign_in


def add_levies(built: ranking_lots.BuiltLot, n: int, seed: int) -> None:
    """n call-offs on the lot, each with its levy, over six months (some at the edge of a month, in UTC)."""
    rng = random.Random(seed)
    authority = Organisation(name=f"Levy authority {seed}-{n}", kind=OrganisationKind.AUTHORITY)
    db.session.add(authority)
    db.session.flush()
    suppliers = list(db.session.scalars(db.select(Bid.supplier_id).where(Bid.framework_id == built.framework_id)))
    for _ in range(n):
        at = datetime(2026, rng.randint(1, 6), 1, tzinfo=UTC) + timedelta(minutes=rng.choice([-1, 0, 1, 20_000]))
        supplier = rng.choice(suppliers)
        value = Decimal(rng.randint(100_00, 900_000_00)) / 100
        call_off = CallOff(framework_id=built.framework_id, lot_id=built.lot_id, organisation_id=authority.id,
                           supplier_id=supplier, value=value, created_at=at)
        db.session.add(call_off)
        db.session.flush()
        db.session.add(Levy(call_off_id=call_off.id, supplier_id=supplier, framework_id=built.framework_id,
                            amount=(value * Decimal("0.015")).quantize(Decimal("0.01")), created_at=at,
                            status=rng.choice(["due", "processing", "paid"])))
    db.session.commit()


def one_by_one() -> list[tuple]:
    """The totals as the page added them up before: every levy read, summed in Python."""
    sums: dict[tuple[int, str], list[Decimal]] = {}
    for levy in db.session.scalars(db.select(Levy)):
        amounts = sums.setdefault((levy.framework_id, levy.created_at.strftime("%Y-%m")), [Decimal(0), Decimal(0)])
        amounts[1 if levy.status == "paid" else 0] += levy.amount
    return [(f, m, due, paid) for (f, m), (due, paid) in sorted(sums.items())]


def test_the_totals_are_the_levies_summed_one_by_one(app):
    for seed in (1, 2):
        add_levies(ranking_lots.build_lot(10, seed=seed), 300, seed)
    totals = calloffs.totals()
    assert [(t.framework_id, t.month, t.due, t.paid) for t in totals] == one_by_one()
    # Seven months: January to June, and December 2025 for the minute before January.
    assert len({t.framework_id for t in totals}) == 2 and len({t.month for t in totals}) == 7


def test_the_levies_page_takes_as_many_queries_for_600_levies_as_for_6(app):
    built = ranking_lots.build_lot(10, seed=3)
    client = app.test_client()
    assert sign_in(client, built.admin_email).status_code == 302
    counts = []
    for n in (6, 594):
        add_levies(built, n, n)
        with counting_queries() as count:
            response = client.get("/levies")
        assert response.status_code == 200 and "Totals by framework and month" in response.get_data(as_text=True)
        counts.append(count["n"])
    assert 0 < counts[0] == counts[1], counts
