"""Erasure with retention (UK GDPR Art. 17): what no rule keeps is erased at once (contact details, sessions,
tokens, reset links, an unused account); what a rule of the record of processing keeps (procurement records: the
framework's term plus six years, configurable per purpose) is kept with the person's identity until the period ends,
and the person is told what, why and until when; the task consumer then anonymises the person in place.

Nothing here changes an audit event: events refer to people by id (`actor_id`), so anonymising the user row erases
the identity behind the id and `flask audit verify` still passes. Each erasure and anonymisation is audited, by id."""
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from app.accounts import services as accounts
from app.accounts.models import ApiToken, Invitation, PasswordReset, SignedInSession, User
from app.audit import services as audit
from app.domain.errors import Conflict
from app.domain.processing import Purpose
from app.extensions import db
from app.privacy import record
from app.types import utcnow
from consort.privacy.models import ErasureRequest
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework, Lot
from frameworks.sharing.models import AgreementAcceptance
from procurement.board.models import BoardVote, Recommendation
from procurement.contracts.models import Contract
from procurement.evaluation.models import ConflictDeclaration, ModeratedScore, Score
from suppliers.models import SupplierProfile

ERASED = "Erased person"
ERASED_AT_ONCE = ("your signed-in sessions", "your API tokens", "your password reset links",
                  "your contact details on your organisation's supplier profile", "invitations sent to your address")


@dataclass(frozen=True)
class Kept:
    what: str
    why: str
    until: date


@dataclass(frozen=True)
class Plan:
    erased: list[str]
    kept: list[Kept]

    @property
    def anonymise_after(self) -> date | None:
        return max((k.until for k in self.kept), default=None)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def term_ends(framework: Framework) -> date:
    """The end of the framework's term: its award plus its duration (or, before the award, its deadline plus the
    duration, the earliest it can end; a cancelled one ends when cancelled)."""
    if framework.status == FrameworkStatus.CANCELLED and framework.cancelled_at:
        return framework.cancelled_at.date()
    start = framework.awarded_at or framework.bid_deadline
    return _add_months(start.date(), framework.duration_months)


def _framework_ids(user: User) -> dict[str, dict[int, int]]:
    """purpose → framework id → how many of the person's records in it that purpose keeps."""
    found: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    queries = (
        ("evaluation", db.select(Lot.framework_id).join(Score, Score.lot_id == Lot.id)
         .where(Score.evaluator_id == user.id)),
        ("evaluation", db.select(Lot.framework_id).join(ModeratedScore, ModeratedScore.lot_id == Lot.id)
         .where(ModeratedScore.moderator_id == user.id)),
        ("board" if user.role.value == "board" else "evaluation",
         db.select(Lot.framework_id).join(ConflictDeclaration, ConflictDeclaration.lot_id == Lot.id)
         .where(ConflictDeclaration.user_id == user.id)),
        ("board", db.select(Recommendation.framework_id).join(BoardVote).where(BoardVote.user_id == user.id)),
        ("contracts", db.select(Contract.framework_id).where(db.or_(Contract.signed_by_id == user.id,
                                                                    Contract.countersigned_by_id == user.id))),
    )
    for purpose, query in queries:
        for framework_id in db.session.scalars(query):
            found[purpose][framework_id] += 1
    return found


WHAT = {"evaluation": "your conflict declarations, scores and their rationales",
        "board": "your declarations and votes, with their comments",
        "contracts": "your signatures on contracts (name, position, time and address)"}


def _why(purpose: Purpose) -> str:
    return f"{purpose.name}: {purpose.lawful_basis}. Kept for {purpose.retention.describe().lower()}"


def plan(user: User) -> Plan:
    """What erasing `user` would do now: what goes at once, what is kept, why and until when."""
    kept = []
    for key, frameworks in sorted(_framework_ids(user).items()):
        purpose = record.purpose(key)
        for framework in db.session.scalars(db.select(Framework).where(Framework.id.in_(frameworks))
                                            .order_by(Framework.id)):
            kept.append(Kept(f"{WHAT[key]} in “{framework.title}” ({framework.reference})", _why(purpose),
                             purpose.retention.until(term_ends(framework))))
    erased = list(ERASED_AT_ONCE)
    if kept:
        erased.append("your sign-in: the account is closed at once; your name and e-mail address stay with the "
                      "records kept, then are anonymised")
    else:
        erased.append("your account: name and e-mail address (nothing a rule keeps refers to you)")
    return Plan(erased, kept)


def _erase_at_once(user: User) -> None:
    for model in (SignedInSession, ApiToken, PasswordReset):
        db.session.execute(db.delete(model).where(model.user_id == user.id))
    for profile in db.session.scalars(db.select(SupplierProfile).where(
            db.func.lower(SupplierProfile.contact_email) == user.email.lower())):
        profile.contact_name = profile.contact_email = profile.contact_phone = ""
    for invitation in db.session.scalars(db.select(Invitation).where(Invitation.email == user.email)):
        invitation.email = _erased_email(user)
    user.active = False


def _erased_email(user: User) -> str:
    return f"erased-{user.id}@erased.invalid"


def _anonymise(user: User) -> None:
    """The person's identity goes from every row that kept it; the records themselves stay, under the same id."""
    for contract in db.session.scalars(db.select(Contract).where(Contract.signed_by_id == user.id)):
        contract.signed_name, contract.signed_position, contract.signed_ip = ERASED, "", None
    for contract in db.session.scalars(db.select(Contract).where(Contract.countersigned_by_id == user.id)):
        contract.countersigned_name, contract.countersigned_ip = ERASED, None
    for acceptance in db.session.scalars(db.select(AgreementAcceptance).where(AgreementAcceptance.officer_id ==
                                                                              user.id)):
        acceptance.officer_name, acceptance.position = ERASED, ""
    user.email, user.name = _erased_email(user), ""
    user.password_hash = accounts.hash_password(secrets.token_urlsafe(32))  # nobody knows it
    user.active = False


def request(user: User, now: datetime | None = None) -> ErasureRequest:
    """The person asks to be erased: done at once where no rule keeps the data, scheduled where one does. Commits."""
    if db.session.scalar(db.select(ErasureRequest.id).where(ErasureRequest.user_id == user.id)):
        raise Conflict("This account's erasure has already been requested.")
    now = now or utcnow()
    planned = plan(user)
    _erase_at_once(user)
    erasure = ErasureRequest(user_id=user.id, requested_at=now, erased=planned.erased,
                             kept=[{"what": k.what, "why": k.why, "until": k.until.isoformat()} for k in planned.kept],
                             anonymise_after=planned.anonymise_after)
    if not planned.kept:
        _anonymise(user)
        erasure.anonymised_at = now
    db.session.add(erasure)
    # By id and in counts only: the log keeps nothing that the erasure would have to change.
    audit.record("person.erasure_requested", erasure, actor=user, after={
        "user_id": user.id, "kept": len(planned.kept), "anonymise_after": erasure.anonymise_after,
        "anonymised": erasure.anonymised_at is not None})
    db.session.commit()
    return erasure


def anonymise_due(today: date) -> list[int]:
    """Anonymise every person whose retention periods have all ended; the ids of the users anonymised. Commits."""
    due = list(db.session.scalars(db.select(ErasureRequest).where(
        ErasureRequest.anonymised_at.is_(None), ErasureRequest.anonymise_after < today).with_for_update()))
    for erasure in due:
        _anonymise(db.session.get(User, erasure.user_id))
        erasure.anonymised_at = utcnow()
        audit.record("person.anonymised", erasure, after={"user_id": erasure.user_id})
    db.session.commit()
    return [erasure.user_id for erasure in due]
