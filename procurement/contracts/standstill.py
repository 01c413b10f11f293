"""The standstill: assessment summary letters to every bidder, sent when it starts; its end date on show."""
from dataclasses import dataclass

from app import outbox, pdf
from app.accounts.models import User
from app.audit import services as audit
from app.domain.calendar import LONDON
from app.domain.errors import Forbidden, NotFound
from app.domain.roles import Role
from app.extensions import db
from frameworks.models import Framework, Lot
from procurement.board import services as board
from procurement.board.models import Recommendation
from procurement.contracts.models import StandstillLetter
from procurement.evaluation import report as evaluation_report
from procurement.evaluation import services as evaluation
from suppliers.models import Bid, BidLot, BidStatus


@dataclass(frozen=True)
class LotLetter:
    lot: Lot
    won: bool
    summary: evaluation_report.Assessment


def bidders(framework_id: int) -> dict[int, int]:
    """Supplier id → its submitted bid on the framework."""
    return dict(db.session.execute(db.select(Bid.supplier_id, Bid.id).where(
        Bid.framework_id == framework_id, Bid.status == BidStatus.SUBMITTED)).all())


def progress(framework_id: int) -> tuple[int, int]:
    """(letters written, letters due) for a framework in standstill."""
    written = db.session.scalar(db.select(db.func.count(StandstillLetter.id))
                                .where(StandstillLetter.framework_id == framework_id))
    return written or 0, len(bidders(framework_id))


def send_letters(framework_id: int) -> int:
    """Render each bidder's assessment summary letter, keep it, and e-mail it to the supplier's users. Commits
    each letter on its own, so that progress shows and a failure loses nothing already done. Returns how many."""
    framework = db.session.get(Framework, framework_id)
    recommendation: Recommendation | None = board.latest_for(framework_id)
    if framework is None or recommendation is None or recommendation.outcome != "approved":
        return 0
    done = set(db.session.scalars(db.select(StandstillLetter.supplier_id)
                                  .where(StandstillLetter.recommendation_id == recommendation.id)))
    admin = db.session.get(User, recommendation.recommended_by_id)
    names = evaluation.supplier_names(set(bidders(framework_id)))
    written = 0
    for supplier_id, bid_id in sorted(bidders(framework_id).items()):
        if supplier_id in done:
            continue
        data = letter_pdf(admin, framework, recommendation, supplier_id, bid_id, names[supplier_id])
        recipients = [u.email for u in db.session.scalars(db.select(User).where(
            User.organisation_id == supplier_id, User.role == Role.SUPPLIER, User.active.is_(True)))]
        letter = StandstillLetter(framework_id=framework_id, recommendation_id=recommendation.id,
                                  supplier_id=supplier_id, pdf=data, sha256=pdf.sha256(data), emailed_to=recipients)
        db.session.add(letter)
        audit.record("standstill.letter_sent", letter, actor=None,
                     after={"supplier_id": supplier_id, "sha256": letter.sha256, "to": recipients})
        _email(framework, recipients, data)
        db.session.commit()
        written += 1
    return written


def letter_pdf(admin: User, framework: Framework, recommendation: Recommendation, supplier_id: int, bid_id: int,
               supplier_name: str) -> bytes:
    awards = recommendation.award_run.result.get("awards", [])
    winners: dict[int, list[dict]] = {}
    for entry in awards:
        winners.setdefault(entry["lot_id"], []).append(entry)
    lot_ids = db.session.scalars(db.select(BidLot.lot_id).where(BidLot.bid_id == bid_id)).all()
    lots = []
    for lot in sorted((db.session.get(Lot, lot_id) for lot_id in lot_ids), key=lambda x: x.number):
        won = any(w["supplier_id"] == supplier_id for w in winners.get(lot.id, []))
        winner_bid = next((w["bid_id"] for w in winners.get(lot.id, []) if w["supplier_id"] != supplier_id), None)
        summary = evaluation_report.assessment(admin, lot.id, bid_id, winner_bid if not won else bid_id)
        lots.append(LotLetter(lot, won, summary))
    ends = framework.standstill_ends.astimezone(LONDON)
    return pdf.render("contracts/pdf/standstill_letter.html", created=recommendation.decided_at, framework=framework,
                      supplier_name=supplier_name, lots=lots, ends=ends, winners=winners)


def _email(framework: Framework, recipients: list[str], data: bytes) -> None:
    ends = framework.standstill_ends.astimezone(LONDON)
    body = (f"The board has approved the award of {framework.reference}, {framework.title}.\n\n"
            f"Your assessment summary is attached: your scores, the winning bid's, and the reasons.\n"
            f"The standstill period ends at midnight at the end of {ends:%A %d %B %Y} (UK time); "
            f"no framework agreement is made before then.")
    for to in recipients:
        outbox.send_later(to, f"Assessment summary: {framework.reference}", body,
                          attachments=((f"assessment-summary-{framework.reference}.pdf", data, "application/pdf"),))


def letter_for(actor: User, framework_id: int, supplier_id: int) -> StandstillLetter:
    """A supplier's letter, for that supplier or an admin."""
    if actor.role == Role.SUPPLIER and actor.organisation_id != supplier_id:
        raise NotFound("There is no such letter.")
    if actor.role not in (Role.SUPPLIER, Role.ADMIN):
        raise Forbidden("Only the supplier it is addressed to and the consortium's admins see a letter.")
    letter = db.session.scalars(db.select(StandstillLetter).where(
        StandstillLetter.framework_id == framework_id, StandstillLetter.supplier_id == supplier_id)
        .order_by(StandstillLetter.id.desc()).limit(1)).first()
    if letter is None:
        raise NotFound("There is no such letter.")
    return letter
