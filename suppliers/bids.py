"""Sealed bids. Every read of a bid goes through `readable` here, so the seal is kept in one place.

Before the bid deadline only the bid's own supplier can see any part of it, even that it exists; to
everyone else it is 404. Every write locks the framework row and checks the deadline at that moment.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from blinker import Namespace
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import edge, outbox
from app.accounts.models import User
from app.audit import services as audit
from app.domain.errors import Conflict, ConsortError, Forbidden, NotFound, ValidationFailed
from app.domain.roles import Role
from app.extensions import db
from app.organisations.models import Organisation
from app.templating import london_time
from app.types import utcnow
from frameworks.domain.lifecycle import FrameworkStatus, effective_status
from frameworks.models import Criterion, Framework, Lot
from suppliers import profiles
from suppliers.bid_seal import seal_name  # noqa: F401 - the bids' sealed audit log, named for callers of the seal
from suppliers.domain import bidding
from suppliers.models import Bid, BidAnswer, BidLot, BidStatus, BundleLot, BundleOffer

SEALED = "There is no bid with that id."
ALREADY_BIDDING = "Your organisation already has a bid on this framework; change it with PUT /api/v1/bids/{id}."
READERS_AFTER_DEADLINE = (Role.ADMIN, Role.EVALUATOR)


def is_sealed(framework: Framework, now: datetime) -> bool:
    return _sealed(framework.status, framework.bid_deadline, now)


def settled(framework: Framework, now: datetime) -> bool:
    """No bid of the framework can change any more: its bids are opened, and the last write received in time is
    past its grace (DEADLINE_GRACE_SECONDS after the deadline), so it has been written or refused."""
    grace = timedelta(seconds=current_app.config["DEADLINE_GRACE_SECONDS"])
    return not is_sealed(framework, now) and now - framework.bid_deadline > grace


def _sealed(status: FrameworkStatus, bid_deadline: datetime, now: datetime) -> bool:
    return now < bid_deadline or effective_status(status, bid_deadline, now) in (FrameworkStatus.DRAFT,
                                                                               FrameworkStatus.OPEN)


# Sent with an evaluator to learn the lots whose bids they are cleared to read (on the lot's panel, with a latest
# declaration of no conflict): the evaluation, which builds on bids, answers with a set of lot ids. No answer, no lot.
evaluator_clearance = Namespace().signal("evaluator-clearance")


def cleared_lot_ids(actor: User) -> set[int]:
    """The lots whose bids an evaluator may read, as the evaluation answers."""
    cleared: set[int] = set()
    for _, lot_ids in evaluator_clearance.send(actor):
        cleared |= set(lot_ids)
    return cleared


def _whole() -> tuple:
    """Load a bid with everything in it, in a fixed number of queries however many lots it covers."""
    return (selectinload(Bid.lots).selectinload(BidLot.answers),
            selectinload(Bid.bundles).selectinload(BundleOffer.lots),
            selectinload(Bid.documents), selectinload(Bid.declaration))


def loaded(bid_id: int) -> Bid | None:
    return db.session.scalar(db.select(Bid).where(Bid.id == bid_id).options(*_whole())
                             .execution_options(populate_existing=True))


def may_open(actor: User, bid_id: int, now: datetime) -> bool:
    """The one rule of the seal: its supplier always; after the deadline, admins, and evaluators cleared (on the
    panel, no conflict declared) for a lot the bid covers. A draft or withdrawn bid was never tendered: nobody
    else ever reads it.

    It is checked before anything of the bid is loaded, with the same work whether or not the bid exists: one
    query for the facts the rule needs (and, for an evaluator, one for the lots they are cleared for), so neither
    the answer nor its time tells a sealed bid from a missing one."""
    cleared = cleared_lot_ids(actor) if actor.role == Role.EVALUATOR else set()
    on_a_cleared_lot = db.exists().where(BidLot.bid_id == Bid.id, BidLot.lot_id.in_(cleared or {-1}))
    row = db.session.execute(
        db.select(Bid.supplier_id, Bid.status, Framework.status, Framework.bid_deadline, on_a_cleared_lot)
        .join(Framework, Framework.id == Bid.framework_id).where(Bid.id == bid_id)).first()
    if row is None:
        return False
    supplier_id, status, framework_status, deadline, cleared_for_it = row
    if actor.organisation_id == supplier_id and actor.role == Role.SUPPLIER:
        return True
    if status != BidStatus.SUBMITTED or _sealed(framework_status, deadline, now):
        return False
    return actor.role == Role.ADMIN or (actor.role == Role.EVALUATOR and bool(cleared_for_it))


def readable(actor: User, bid_id: int, now: datetime | None = None) -> Bid:
    """A bid the actor may read, or 404 — the same answer, after the same work, whether or not it exists."""
    if not may_open(actor, bid_id, now or utcnow()):
        raise NotFound(SEALED)
    bid = loaded(bid_id)
    if bid is None:  # gone between the two reads
        raise NotFound(SEALED)
    return bid


def readable_query(actor: User, framework: Framework, now: datetime | None = None):
    """The bids of a framework that the actor may read: their own, or all once the seal is broken."""
    query = db.select(Bid).where(Bid.framework_id == framework.id).options(*_whole())
    if actor.role in READERS_AFTER_DEADLINE and not is_sealed(framework, now or utcnow()):
        query = query.where(Bid.status == BidStatus.SUBMITTED).order_by(Bid.submitted_at, Bid.id)
        if actor.role == Role.EVALUATOR:
            query = query.where(Bid.id.in_(db.select(BidLot.bid_id).where(
                BidLot.lot_id.in_(cleared_lot_ids(actor) or {-1}))))
        return query
    if actor.role == Role.SUPPLIER:
        return query.where(Bid.supplier_id == actor.organisation_id)
    return query.where(db.false())


@dataclass(frozen=True)
class OpenedCounts:
    bids: int
    sme_bids: int
    by_lot: dict[int, int]


def opened_counts(framework: Framework, now: datetime | None = None) -> OpenedCounts | None:
    """How many bids were tendered, in all and per lot, for publication: None while they are sealed."""
    if is_sealed(framework, now or utcnow()):
        return None
    tendered = db.select(Bid.id, Bid.supplier_id).where(Bid.framework_id == framework.id,
                                                         Bid.status == BidStatus.SUBMITTED).subquery()
    total, sme = db.session.execute(
        db.select(db.func.count(), db.func.count().filter(Organisation.sme.is_(True)))
        .select_from(tendered).join(Organisation, Organisation.id == tendered.c.supplier_id)).one()
    by_lot = dict(db.session.execute(
        db.select(BidLot.lot_id, db.func.count()).join(tendered, tendered.c.id == BidLot.bid_id)
        .group_by(BidLot.lot_id)).all())
    return OpenedCounts(total, sme, {lot.id: by_lot.get(lot.id, 0) for lot in framework.lots})


def tenderers(framework: Framework, now: datetime | None = None) -> list[int] | None:
    """The organisations that tendered (a submitted bid), for publication: None while the bids are sealed."""
    if is_sealed(framework, now or utcnow()):
        return None
    return list(db.session.scalars(db.select(Bid.supplier_id).where(
        Bid.framework_id == framework.id, Bid.status == BidStatus.SUBMITTED).distinct().order_by(Bid.supplier_id)))


def _locked_framework(framework_id: int, actor: User) -> Framework:
    # A shared lock: bids on one framework are written side by side, while a change to the framework itself
    # (a transition, which locks it for update) waits for them, and they for it.
    framework = db.session.scalar(db.select(Framework).where(Framework.id == framework_id)
                                  .with_for_update(read=True))
    if framework is None or (framework.status == FrameworkStatus.DRAFT):
        raise NotFound("There is no published framework with that id.")
    return framework


class DeadlineGraceExceeded(ConsortError):
    """Received before the deadline, but processed too long after it to be accepted."""
    status = 503
    code = "deadline_grace_exceeded"


def _received(now: datetime | None) -> datetime:
    """The moment a bid write is judged by: when its request reached us (or `now`, given by a caller or a test)."""
    return now if now is not None else edge.received_at()


def _check_open(framework: Framework, now: datetime, written: datetime | None = None) -> None:
    """Refuse a write received (`now`) after the deadline or while the framework is not open; and one received
    in time but written (after the locks, `written`) more than DEADLINE_GRACE_SECONDS after the deadline."""
    is_open = framework.current_status(now) == FrameworkStatus.OPEN
    problem = bidding.deadline_problem(now, framework.bid_deadline, is_open)
    if problem:
        raise Conflict(problem)
    grace = timedelta(seconds=current_app.config["DEADLINE_GRACE_SECONDS"])
    if written is not None and written - framework.bid_deadline > grace:
        raise DeadlineGraceExceeded(
            f"Your request reached Consort at {london_time(now)}, before the deadline, but it could not be processed "
            f"within {int(grace.total_seconds())} seconds of the deadline, so nothing was changed. Tell the "
            "consortium at once.")


def rules_of(framework: Framework) -> dict[int, bidding.LotRules]:
    """The framework's lots and their criteria' word limits, in one query (a framework may have many lots)."""
    rows = db.session.execute(
        db.select(Lot.id, Lot.number, Criterion.id, Criterion.word_limit)
        .outerjoin(Criterion, Criterion.lot_id == Lot.id).where(Lot.framework_id == framework.id))
    numbers: dict[int, int] = {}
    limits: dict[int, dict[int, int]] = {}
    for lot_id, number, criterion_id, word_limit in rows:
        numbers[lot_id] = number
        limits.setdefault(lot_id, {})
        if criterion_id is not None:
            limits[lot_id][criterion_id] = word_limit
    return {lot_id: bidding.LotRules(lot_id, numbers[lot_id], limits[lot_id]) for lot_id in numbers}


def content_of(bid: Bid) -> bidding.BidContent:
    return bidding.BidContent(
        framework_id=bid.framework_id, supplier_id=bid.supplier_id,
        lots=[bidding.LotOffer(bl.lot_id, bl.price, {a.criterion_id: a.text for a in bl.answers}) for bl in bid.lots],
        bundles=[bidding.Bundle(tuple(bl.lot_id for bl in b.lots), b.price) for b in bid.bundles],
        documents=[bidding.Attachment(d.filename, d.sha256) for d in bid.documents])


def _raise_problems(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)


def _write(bid: Bid, content: bidding.BidContent) -> None:
    if bid.id is not None:  # delete the old rows first, or the new ones would collide with them
        bid.lots.clear()
        bid.bundles.clear()
        db.session.flush()
    # In the order a read gives them (by lot), as the answer is built from these rows without reading them again.
    bid.lots = [BidLot(lot_id=o.lot_id, price=o.price,
                       answers=[BidAnswer(criterion_id=c, text=t) for c, t in sorted(o.answers.items())])
                for o in sorted(content.lots, key=lambda o: o.lot_id)]
    bid.bundles = [BundleOffer(price=b.price, lots=[BundleLot(lot_id=lot_id) for lot_id in sorted(set(b.lot_ids))])
                   for b in content.bundles]


def _answer_as_written(bid: Bid) -> Bid:
    """Commit, and answer with the bid as this transaction left it: every row of it was read under the locks or
    written here, so nothing is read again (reading it back cost a submission ten queries, at the deadline)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    return bid


def _require_supplier(actor: User) -> None:
    if actor.role != Role.SUPPLIER:
        raise Forbidden("Only suppliers bid.")


def create(actor: User, framework_id: int, lots: Sequence[bidding.LotOffer], bundles: Sequence[bidding.Bundle],
           now: datetime | None = None) -> Bid:
    """A supplier starts its bid on an open framework, as a draft. Commits."""
    _require_supplier(actor)
    framework = _locked_framework(framework_id, actor)
    # Judged by when the request reached us; written (and timed) after the locks.
    received, now = _received(now), now or utcnow()
    _check_open(framework, received, now)
    if db.session.scalar(db.select(Bid.id).where(Bid.framework_id == framework.id,
                                                 Bid.supplier_id == actor.organisation_id)):
        raise Conflict(ALREADY_BIDDING)
    content = bidding.BidContent(framework.id, actor.organisation_id, list(lots), list(bundles))
    _raise_problems(bidding.draft_problems(content, rules_of(framework)))
    bid = Bid(framework=framework, supplier_id=actor.organisation_id, created_by_id=actor.id,
              status=BidStatus.DRAFT, created_at=now, updated_at=now, documents=[])
    _write(bid, content)
    db.session.add(bid)
    try:
        db.session.flush()
    except IntegrityError:  # the same supplier started a bid at the same moment in another request
        db.session.rollback()
        raise Conflict(ALREADY_BIDDING) from None
    # The audit event names the bid but records none of its content: the log is not sealed.
    audit.record("bid.drafted", bid, actor=actor)
    return _answer_as_written(bid)


def own_for_write(actor: User, bid_id: int, now: datetime | None = None) -> tuple[Bid, Framework, datetime]:
    """The supplier's bid and its framework, locked for a write, and the moment of the write (after the locks).
    The write is judged by when its request reached us; see `_check_open`."""
    _require_supplier(actor)
    bid = db.session.get(Bid, bid_id)
    if bid is None or bid.supplier_id != actor.organisation_id:
        raise NotFound(SEALED)
    framework = _locked_framework(bid.framework_id, actor)
    # The bid's own row is locked for update, so two writes to one bid (a double click) take turns.
    db.session.execute(db.select(Bid.id).where(Bid.id == bid_id).with_for_update())
    bid = loaded(bid_id)  # as it is now, with all its rows
    received, now = _received(now), now or utcnow()
    _check_open(framework, received, now)
    return bid, framework, now


def replace(actor: User, bid_id: int, lots: Sequence[bidding.LotOffer], bundles: Sequence[bidding.Bundle],
            now: datetime | None = None) -> Bid:
    """Replace a bid's content; a submitted or withdrawn bid becomes a draft to be submitted again. Commits."""
    bid, framework, now = own_for_write(actor, bid_id, now)
    return revise(actor, bid, framework, now, lots, bundles)


def revise(actor: User, bid: Bid, framework: Framework, now: datetime, lots: Sequence[bidding.LotOffer],
           bundles: Sequence[bidding.Bundle]) -> Bid:
    """Write new content into a bid that `own_for_write` locked, as a draft. Commits."""
    content = bidding.BidContent(framework.id, bid.supplier_id, list(lots), list(bundles))
    _raise_problems(bidding.draft_problems(content, rules_of(framework)))
    before = bid.status.value
    _write(bid, content)
    bid.status, bid.updated_at, bid.receipt_sha256, bid.submitted_at, bid.receipt_log_index = (
        BidStatus.DRAFT, now, None, None, None)
    bid.receipt_written_at = None
    audit.record("bid.revised", bid, actor=actor, before={"status": before}, after={"status": "draft"})
    return _answer_as_written(bid)


def own_bid(actor: User, framework_id: int) -> Bid | None:
    """The supplier's own bid on a framework, if it has started one."""
    if actor.role != Role.SUPPLIER:
        return None
    return db.session.scalar(db.select(Bid).where(Bid.framework_id == framework_id,
                                                  Bid.supplier_id == actor.organisation_id))


def save(actor: User, framework_id: int, lots: Sequence[bidding.LotOffer], bundles: Sequence[bidding.Bundle],
         now: datetime | None = None) -> Bid:
    """Save the supplier's bid from its page: start it, or replace its content. Commits."""
    bid = own_bid(actor, framework_id)
    if bid is None:
        return create(actor, framework_id, lots, bundles, now)
    return replace(actor, bid.id, lots, bundles, now)


def submit(actor: User, bid_id: int, now: datetime | None = None) -> Bid:
    """Submit a complete bid before the deadline and give it its receipt. Commits; the receipt is e-mailed after."""
    now_given = now
    bid, framework, now = own_for_write(actor, bid_id, now)
    content = content_of(bid)
    _raise_problems(bidding.submission_problems(
        content, rules_of(framework), bidding.FrameworkRules(framework.max_lots_per_supplier)))
    # The bid keeps the declaration in force when it was tendered; evaluators read that one. Read before the bid
    # changes, so that the change is written once, with the audit event.
    declaration = profiles.current_declaration(bid.supplier_id)
    receipt = bidding.receipt(content, _received(now_given))  # the time it reached us: the one judged
    bid.status, bid.submitted_at, bid.receipt_sha256 = BidStatus.SUBMITTED, receipt.submitted_at, receipt.sha256
    bid.receipt_written_at, bid.declaration = now, declaration
    bid.updated_at, bid.submissions = now, bid.submissions + 1
    submitted = audit.record("bid.submitted", bid, actor=actor, after={
        "sha256": receipt.sha256, "submitted_at": receipt.submitted_at.isoformat(), "written_at": now.isoformat()})
    bid.receipt_log_index = submitted.log_index
    _email_receipt(actor, bid, framework)
    return _answer_as_written(bid)


def withdraw(actor: User, bid_id: int, now: datetime | None = None) -> Bid:
    """Withdraw a bid before the deadline; it can be revised and submitted again until then. Commits."""
    bid, _, now = own_for_write(actor, bid_id, now)
    if bid.status == BidStatus.WITHDRAWN:
        raise Conflict("This bid is already withdrawn.")
    before = bid.status.value
    bid.status, bid.updated_at, bid.receipt_sha256, bid.submitted_at, bid.receipt_log_index = (
        BidStatus.WITHDRAWN, now, None, None, None)
    bid.receipt_written_at = None
    audit.record("bid.withdrawn", bid, actor=actor, before={"status": before}, after={"status": "withdrawn"})
    return _answer_as_written(bid)


def _email_receipt(actor: User, bid: Bid, framework: Framework) -> None:
    body = (f"Your bid on {framework.reference} {framework.title} was received.\n\n"
            f"Received: {london_time(bid.submitted_at)} ({bid.submitted_at.isoformat()})\n"
            f"SHA-256 of its content: {bid.receipt_sha256}\n\n"
            "Keep this receipt. You can revise or withdraw the bid until the deadline; "
            "a revised bid must be submitted again.\n")
    # The receipt is in the answer and on screen; the e-mail is a copy, kept with the bid and sent after the commit.
    outbox.send_later(actor.email, f"Bid receipt: {framework.reference}", body)


@dataclass(frozen=True)
class View:
    """What of a readable bid a reader sees: all of it, or (for an evaluator) the lots they may evaluate, with
    prices hidden if the framework hides them from quality evaluators."""

    lot_ids: frozenset[int] | None = None  # None: every lot
    prices: bool = True


def view_for(actor: User, framework: Framework) -> View:
    if actor.role != Role.EVALUATOR:
        return View()
    return View(frozenset(cleared_lot_ids(actor)), prices=not framework.price_hidden_from_evaluators)


def readable_list(actor: User, framework: Framework, now: datetime | None = None) -> list[Bid]:
    """The bids of `readable_query`, loaded."""
    return list(db.session.scalars(readable_query(actor, framework, now)))
