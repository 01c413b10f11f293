"""At the deadline rush, a supplier's writes must not get dearer as the framework's bids grow: the same queries
for a draft, a revision and a submission whether the framework holds 2 other bids or 150; and no more than they
take now that the answer is built from the rows written, not read back after the commit."""
from decimal import Decimal

from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations.models import Organisation
from app.types import utcnow
from suppliers.models import Bid, BidLot, BidStatus
from tests.functional.bids_support import bid_body, draft_bid, offer
from tests.support import counting_queries

# The token, the locks, the checks and the writes (with the audit event and its tree nodes): a draft, a revision,
# a submission (its receipt e-mail kept and, here, sent inline). With the read-back they were 19, 29 and 31 on
# SQLite, 32 on PostgreSQL; now 13, 19 and 20 (21 on PostgreSQL).
MOST_QUERIES = [13, 19, 21]


def other_bids(framework_id: int, lot_id: int, n: int) -> None:
    """n submitted bids from n other suppliers, written straight into the database."""
    now = utcnow()
    for i in range(n):
        supplier = Organisation(name=f"Rival {framework_id}-{i:04d} Ltd", kind=OrganisationKind.SUPPLIER, sme=False)
        db.session.add(supplier)
        db.session.flush()
        bid = Bid(framework_id=framework_id, supplier_id=supplier.id, status=BidStatus.SUBMITTED, created_at=now,
                  updated_at=now, submitted_at=now, receipt_sha256="0" * 64, submissions=1)
        bid.lots.append(BidLot(lot_id=lot_id, price=Decimal("150000.00")))
        db.session.add(bid)
    db.session.commit()


def writes(world, framework: dict, lot: dict) -> list[int]:
    """The queries of a draft, a revision and a submission, through the API."""
    counts = []
    with counting_queries() as queries:
        response = draft_bid(world, framework["id"], bid_body(offer(lot)))
    assert response.status_code == 201, response.get_json()
    counts.append(queries["n"])
    bid_id = response.get_json()["id"]
    with counting_queries() as queries:
        assert world.put("supplier", f"/api/v1/bids/{bid_id}", bid_body(offer(lot, price="170000.00"))).status_code \
            == 200
    counts.append(queries["n"])
    with counting_queries() as queries:
        assert world.post("supplier", f"/api/v1/bids/{bid_id}/submit").status_code == 200
    counts.append(queries["n"])
    return counts


def test_a_suppliers_writes_take_the_same_queries_however_many_bids_the_framework_holds(world):
    world.headers("supplier")  # the token first, so that signing in is not counted
    counts = {}
    for others in (2, 150):
        framework, lot = world.published()
        other_bids(framework["id"], lot["id"], others)
        counts[others] = writes(world, framework, lot)
    assert counts[150] == counts[2], counts
    assert all(n <= most for n, most in zip(counts[2], MOST_QUERIES, strict=True)), counts
