"""Bids written at the same moment, on PostgreSQL, each request on its own connection: bid writes on one framework
run side by side, yet one supplier never ends up with two bids and no request fails with a 500."""
import threading
from decimal import Decimal

import pytest

from app.domain.errors import Conflict
from app.extensions import db
from consort import create_app
from frameworks.domain.lifecycle import FrameworkStatus
from suppliers import bids
from suppliers.domain import bidding
from suppliers.models import Bid, BidStatus
from tests.functional.framework_pages_support import make_framework, make_lot, make_requirement


@pytest.fixture
def open_lot(make_user):
    from frameworks import services as frameworks

    admin = make_user("ada@ldpc.example", role="admin", org="LDPC", kind="consortium")
    officer = make_user("olivia@camden.gov.uk", role="officer", org="London Borough of Camden", kind="authority")
    framework = make_framework(admin)
    lot = make_lot(admin, framework.id, [make_requirement(officer).id])
    frameworks.transition(admin, framework.id, FrameworkStatus.OPEN)
    return framework.id, lot.id, [c.id for c in lot.criteria]


def _in_parallel(database_url: str, work, n: int) -> tuple[list, list]:
    results, errors = [], []
    barrier = threading.Barrier(n)
    # Each request's app is made here, one after another: Werkzeug compiles the URL rules with ast.parse, which
    # CPython 3.11 does not always survive in several threads at once ("AST constructor recursion depth mismatch").
    workers = [create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "SECRET_KEY": "t"})
               for _ in range(n)]

    def run(i: int):
        worker = workers[i]
        with worker.app_context():
            try:
                barrier.wait()
                results.append(work(i))
            except Exception as error:  # collected and asserted by the test
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()
                db.engine.dispose()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def _offer(lot_id, criteria, price="1000.00"):
    return [bidding.LotOffer(lot_id, Decimal(price), {c: "An answer." for c in criteria})]


def test_one_supplier_starting_its_bid_twice_at_once_gets_one_bid_and_a_409(app, database_url, make_user, open_lot):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer in at a time; the race needs PostgreSQL's concurrent writers")
    framework_id, lot_id, criteria = open_lot
    supplier_id = make_user("sam@acme.example", role="supplier", org="Acme Ltd").id

    def start(i):
        from app.accounts.models import User

        return bids.create(db.session.get(User, supplier_id), framework_id, _offer(lot_id, criteria), []).id

    created, errors = _in_parallel(database_url, start, 4)
    assert len(created) == 1
    assert len(errors) == 3 and all(isinstance(e, Conflict) for e in errors), errors
    assert db.session.scalar(db.select(db.func.count()).select_from(Bid)) == 1


def test_many_suppliers_submit_at_once_and_every_receipt_matches(app, database_url, make_user, open_lot):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer in at a time; concurrency needs PostgreSQL")
    framework_id, lot_id, criteria = open_lot
    ids = [make_user(f"bids@s{i}.example", role="supplier", org=f"Supplier {i} Ltd").id for i in range(8)]

    def bid_and_submit(i):
        from app.accounts.models import User

        user = db.session.get(User, ids[i])
        bid = bids.create(user, framework_id, _offer(lot_id, criteria, f"{1000 + i}.00"), [])
        return bids.submit(user, bid.id).id

    submitted, errors = _in_parallel(database_url, bid_and_submit, 8)
    assert errors == [] and len(submitted) == 8
    db.session.expire_all()
    for bid in db.session.scalars(db.select(Bid)):
        assert bid.status == BidStatus.SUBMITTED
        assert bid.receipt_sha256 == bidding.receipt(bids.content_of(bid), bid.submitted_at).sha256
