"""The releases published, as events: each publishable change (a framework published, closed, in standstill,
awarded, cancelled; a framework agreement countersigned; a call-off placed) is recorded as a release of its own,
in the transaction that made the change, and never rewritten.

The lower layers say what happened through signals; the release is built just before that transaction commits,
so that it shows everything the transaction did (the opening of the bids, the contracts of an award), whichever
receiver of the signal ran first. A change that alters nothing published (a framework going into evaluation, a
supplier's signature that waits for the consortium's) adds no release.
"""
import json
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.types import utcnow
from consort.publication import snapshots
from consort.publication.domain.ocds import canonical, same_content
from consort.publication.models import OcdsRelease
from frameworks import services as frameworks
from frameworks import signals as framework_signals
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework
from procurement.calloffs import services as calloffs
from procurement.calloffs.models import CallOff
from procurement.contracts import services as contracts
from procurement.contracts.models import Contract

PENDING = "ocds_pending_releases"


def _later(kind: str, object_id: int, what: str, now: datetime) -> None:
    db.session.info.setdefault(PENDING, []).append((kind, object_id, what, now))


@framework_signals.moved.connect
def _framework_moved(framework, target: FrameworkStatus, now: datetime, **_) -> None:
    if target != FrameworkStatus.DRAFT:
        _later("framework", framework.id, target.value, now)


@contracts.signature_added.connect
def _agreement_signed(contract, event: str, now: datetime, **_) -> None:
    if contract.kind == "framework_agreement":
        _later("framework", contract.framework_id, f"contract_{event}", now)
    elif contract.kind == "call_off" and event == "countersigned":  # an authority's call-off, made at the award
        _later("contract", contract.id, "call_off", now)


@calloffs.placed_signal.connect
def _call_off_placed(call_off: CallOff, now: datetime, **_) -> None:
    _later("call_off", call_off.id, "call_off", now)


@event.listens_for(Session, "before_commit")
def _record_pending(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    for kind, object_id, what, now in pending or ():
        if kind == "framework":
            record_framework_event(object_id, what, now)
        elif kind == "contract":
            record_call_off_contract(object_id)
        else:
            record_call_off(object_id)


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction) -> None:
    """A transaction that ended without committing (rolled back, or closed) takes what it noted with it."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def record_framework_event(framework_id: int, what: str, now: datetime) -> OcdsRelease | None:
    """Store the release of an event in a published framework's life, unless it changes nothing published."""
    framework = frameworks.get(framework_id)
    if framework.published_at is None:  # cancelled before it was ever published: nothing was public
        return None
    return _store(snapshots.framework_release(framework, what, now), framework.id, None)


def record_call_off(call_off_id: int) -> OcdsRelease | None:
    call_off = db.session.get(CallOff, call_off_id)
    return _store(snapshots.call_off_release(call_off), call_off.framework_id, call_off.id)


def record_call_off_contract(contract_id: int) -> OcdsRelease | None:
    contract = db.session.get(Contract, contract_id)
    return _store(snapshots.contract_call_off_release(contract), contract.framework_id, None)


def _store(release: dict, framework_id: int, call_off_id: int | None) -> OcdsRelease | None:
    latest = db.session.scalar(db.select(OcdsRelease).where(OcdsRelease.ocid == release["ocid"])
                               .order_by(OcdsRelease.date.desc(), OcdsRelease.id.desc()).limit(1))
    if latest is not None and (latest.release_id == release["id"]
                               or same_content(json.loads(latest.content), release)):
        return None
    row = OcdsRelease(ocid=release["ocid"], release_id=release["id"], framework_id=framework_id,
                      call_off_id=call_off_id, date=datetime.fromisoformat(release["date"]),
                      tag=",".join(release["tag"]), content=canonical(release))
    db.session.add(row)
    return row


def record_missing(now: datetime | None = None) -> list[str]:
    """One release of the current state of each published framework that has none (published before releases
    were stored as events), and of each call-off that has none. Commits. Returns the release ids."""
    now = now or utcnow()
    recorded = []
    with_releases = db.select(OcdsRelease.framework_id)
    for framework in db.session.scalars(db.select(Framework).where(
            Framework.published_at.is_not(None), Framework.id.not_in(with_releases)).order_by(Framework.id)):
        row = record_framework_event(framework.id, framework.current_status(now).value, now)
        recorded += [row.release_id] if row else []
    placed = db.select(OcdsRelease.call_off_id).where(OcdsRelease.call_off_id.is_not(None))
    for call_off in db.session.scalars(db.select(CallOff).where(CallOff.id.not_in(placed)).order_by(CallOff.id)):
        row = record_call_off(call_off.id)
        recorded += [row.release_id] if row else []
    published = db.select(OcdsRelease.ocid)
    for contract in db.session.scalars(db.select(Contract).where(
            Contract.kind == "call_off", Contract.status == "countersigned").order_by(Contract.id)):
        if snapshots.contract_call_off_ocid(frameworks.get(contract.framework_id), contract) not in set(
                db.session.scalars(published)):
            row = record_call_off_contract(contract.id)
            recorded += [row.release_id] if row else []
    db.session.commit()
    return recorded


def _ordered(query):
    return query.order_by(OcdsRelease.date, OcdsRelease.id)


def of_framework(framework_id: int) -> list[OcdsRelease]:
    """Every release of the framework and of its call-offs, oldest first."""
    return list(db.session.scalars(_ordered(db.select(OcdsRelease).where(OcdsRelease.framework_id == framework_id))))


def stamp(framework_id: int) -> tuple[str, datetime | None]:
    """What changes the framework's public release package: a release added (releases are never changed). For
    app/caching.py; one query."""
    count, newest, recorded = db.session.execute(
        db.select(db.func.count(OcdsRelease.id), db.func.max(OcdsRelease.id), db.func.max(OcdsRelease.recorded_at))
        .where(OcdsRelease.framework_id == framework_id)).one()
    return f"{count}|{newest}", recorded


def feed_stamp() -> tuple[str, datetime | None]:
    """What changes the public feed of releases: any release added (releases are never changed). One query."""
    count, newest, recorded = db.session.execute(
        db.select(db.func.count(OcdsRelease.id), db.func.max(OcdsRelease.id),
                  db.func.max(OcdsRelease.recorded_at))).one()
    return f"{count}|{newest}", recorded


def feed_query(updated_from: datetime | None, updated_to: datetime | None):
    """Every release published, newest first, between two moments (inclusive) if given."""
    query = db.select(OcdsRelease)
    if updated_from is not None:
        query = query.where(OcdsRelease.date >= updated_from)
    if updated_to is not None:
        query = query.where(OcdsRelease.date <= updated_to)
    return query.order_by(OcdsRelease.date.desc(), OcdsRelease.id.desc())


def page_of_feed(updated_from: datetime | None, updated_to: datetime | None, page: int,
                 per_page: int) -> tuple[list[OcdsRelease], bool]:
    """One page of the feed, and whether another follows."""
    rows = list(db.session.scalars(feed_query(updated_from, updated_to).offset((page - 1) * per_page)
                                   .limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page
