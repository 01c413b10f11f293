"""`flask seed-scale` at a tiny size: the rows it promises, receipts as `bids.submit` makes them, an audit log that
verifies, and the pages of the benchmark answering on what it made."""
from sqlalchemy import func, select

from app.audit.models import AuditEvent, SealedAuditEvent
from app.extensions import db
from app.organisations.models import Organisation
from consort import demo
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework, Lot
from suppliers import bids as bid_service
from suppliers.domain import bidding
from suppliers.models import Bid, BidAnswer, BidLot, BidStatus
from tests.support import sign_in

SCALE = ["seed-scale", "--suppliers", "20", "--bids", "60", "--frameworks", "5"]


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def seeded(runner):
    result = runner.invoke(args=SCALE)
    db.session.remove()
    assert result.exit_code == 0, result.output
    return result


def test_seed_scale_makes_the_suppliers_frameworks_and_submitted_bids_asked_for(runner):
    result = seeded(runner)

    assert count(Organisation, Organisation.name.like("Scale Supplier %")) == 20
    scale = list(db.session.scalars(select(Framework).where(Framework.title.like("G-Cloud scale %"))
                                    .order_by(Framework.id)))
    assert [f.status for f in scale] == [FrameworkStatus.EVALUATION] * 3 + [FrameworkStatus.CLOSED,
                                                                            FrameworkStatus.OPEN]
    assert count(Lot, Lot.framework_id.in_([f.id for f in scale])) == 40
    scale_bids = select(Bid.id).where(Bid.framework_id.in_([f.id for f in scale]))
    assert count(Bid, Bid.id.in_(scale_bids), Bid.status == BidStatus.SUBMITTED) == 60
    assert [count(Bid, Bid.framework_id == f.id) for f in scale] == [12] * 5
    offers = count(BidLot, BidLot.bid_id.in_(scale_bids))
    assert 60 <= offers <= 120
    assert count(BidAnswer, BidAnswer.bid_lot_id.in_(select(BidLot.id).where(BidLot.bid_id.in_(scale_bids)))) == (
        3 * offers)  # every criterion answered
    assert "20 suppliers, 5 frameworks of 40 lots, 60 submitted bids" in result.stdout


def test_seed_scale_receipts_are_those_of_the_bids_content_and_in_the_audit_log(runner):
    seeded(runner)

    bids = list(db.session.scalars(select(Bid).join(Framework).where(Framework.title.like("G-Cloud scale %"))))
    sealed = [bid for bid in bids if bid.framework.status == FrameworkStatus.OPEN]
    assert sealed and len(sealed) < len(bids)
    for bid in sealed:  # still taking bids: the receipt waits in the framework's sealed log
        assert bid.receipt_log_index is None
        event = db.session.scalar(select(SealedAuditEvent).where(SealedAuditEvent.object_id == str(bid.id)))
        assert (event.seal, event.action, event.after["sha256"]) == (
            bid_service.seal_name(bid.framework_id), "bid.submitted", bid.receipt_sha256)
    for bid in bids:
        assert bidding.receipt(bid_service.content_of(bid), bid.submitted_at).sha256 == bid.receipt_sha256
        if bid in sealed:
            continue
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.log_index == bid.receipt_log_index))
        assert (event.action, event.object_id, event.actor_id) == ("bid.submitted", str(bid.id), bid.created_by_id)
        assert event.after["sha256"] == bid.receipt_sha256
        assert bid.submitted_at < bid.framework.bid_deadline


def test_the_audit_log_verifies_after_seed_scale(runner):
    seeded(runner)

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 0, result.output
    assert "Audit log intact" in result.stdout


def test_seed_scale_runs_once_per_database_and_refuses_more_bids_than_suppliers_can_make(runner):
    seeded(runner)

    again = runner.invoke(args=SCALE)
    too_many = runner.invoke(args=["seed-scale", "--suppliers", "2", "--bids", "11", "--frameworks", "5"])

    assert again.exit_code == 1 and "already holds the scale data" in again.stderr
    assert too_many.exit_code == 1 and "at most once in each framework" in too_many.stderr


def test_the_benchmarked_pages_answer_on_the_scale_data(app, runner):
    seeded(runner)
    framework = db.session.scalar(select(Framework).where(Framework.title == "G-Cloud scale 01"))
    lot = framework.lots[0]
    admin, bidder = app.test_client(), app.test_client()
    assert sign_in(admin, "admin@ldpc.example", demo.DEMO_PASSWORD).status_code == 302
    assert sign_in(bidder, "bids@supplier00001.example", demo.DEMO_PASSWORD).status_code == 302

    for path in ("/opportunities", "/opportunities?q=Cloud&status=all", f"/frameworks/{framework.id}",
                 f"/lots/{lot.id}/ranking", "/dashboard", "/levies"):
        assert admin.get(path).status_code == 200, path
    assert bidder.get("/dashboard").status_code == 200
    assert admin.get("/healthz").status_code == 200
