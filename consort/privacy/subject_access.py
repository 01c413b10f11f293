"""Subject access (UK GDPR Art. 15): everything Consort holds about one person, as JSON-ready values and as a PDF.

Only rows that name the person by their own id, and only their own fields of those rows: never other people's data
(an audit event's before and after can hold other people's, so events give what was done, to what, when), and
never a bid still under seal (the audit log's own seal hides those events; scores exist only once it is broken).
Never a token's, session's or password's secret or hash."""
from datetime import datetime

from app import pdf
from app.accounts.models import ApiToken, SignedInSession, User
from app.audit import services as audit
from app.audit.models import AuditEvent
from app.domain.errors import NotFound
from app.extensions import db
from app.types import utcnow
from frameworks.models import Criterion, Lot
from frameworks.requirements.models import Requirement
from frameworks.sharing.models import AgreementAcceptance
from procurement.board.models import BoardVote, Recommendation
from procurement.contracts.models import Contract
from procurement.evaluation.models import ConflictDeclaration, ModeratedScore, Score
from suppliers.models import ExclusionDeclaration, SupplierProfile

SECTIONS = ("account", "sessions", "api_tokens", "requirements", "data_sharing_acceptances", "conflict_declarations",
            "exclusion_declarations", "supplier_contact", "scores", "moderated_scores", "votes", "signatures",
            "audit_events")


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _rows(query) -> list:
    return list(db.session.scalars(query))


def _account(user: User) -> dict:
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role.value,
            "organisation": user.organisation.name, "active": user.active, "created_at": _when(user.created_at),
            "last_sign_in_at": _when(user.last_sign_in_at)}


def _sessions(user: User) -> list[dict]:
    return [{"started_at": _when(s.started_at), "last_seen_at": _when(s.last_seen_at), "ended_at": _when(s.ended_at),
             "browser": s.user_agent, "address": s.address}
            for s in _rows(db.select(SignedInSession).where(SignedInSession.user_id == user.id)
                           .order_by(SignedInSession.id))]


def _tokens(user: User) -> list[dict]:
    return [{"created_at": _when(t.created_at), "expires_at": _when(t.expires_at), "revoked_at": _when(t.revoked_at)}
            for t in _rows(db.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))]


def _requirements(user: User) -> list[dict]:
    return [{"id": r.id, "title": r.title, "status": r.status.value, "created_at": _when(r.created_at)}
            for r in _rows(db.select(Requirement).where(Requirement.created_by_id == user.id)
                           .order_by(Requirement.id))]


def _acceptances(user: User) -> list[dict]:
    return [{"version": a.agreement.version, "organisation": a.organisation.name, "name": a.officer_name,
             "position": a.position, "accepted_at": _when(a.accepted_at), "withdrawn_at": _when(a.withdrawn_at)}
            for a in _rows(db.select(AgreementAcceptance).where(AgreementAcceptance.officer_id == user.id)
                           .order_by(AgreementAcceptance.id))]


def _conflicts(user: User) -> list[dict]:
    return [{"lot_id": d.lot_id, "conflict": d.conflict, "details": d.details, "declared_at": _when(d.declared_at)}
            for d in _rows(db.select(ConflictDeclaration).where(ConflictDeclaration.user_id == user.id)
                           .order_by(ConflictDeclaration.id))]


def _exclusions(user: User) -> list[dict]:
    return [{"organisation_id": d.organisation_id, "answers": d.answers, "details": d.details,
             "self_cleaning": d.self_cleaning, "made_at": _when(d.made_at)}
            for d in _rows(db.select(ExclusionDeclaration).where(ExclusionDeclaration.made_by_id == user.id)
                           .order_by(ExclusionDeclaration.id))]


def _contact(user: User) -> list[dict]:
    return [{"organisation_id": p.organisation_id, "contact_name": p.contact_name, "contact_email": p.contact_email,
             "contact_phone": p.contact_phone}
            for p in _rows(db.select(SupplierProfile).where(db.func.lower(SupplierProfile.contact_email) ==
                                                            user.email.lower()))]


def _scores(user: User) -> list[dict]:
    rows = db.session.execute(db.select(Score, Criterion.name, Lot.framework_id)
                              .join(Criterion, Criterion.id == Score.criterion_id).join(Lot, Lot.id == Score.lot_id)
                              .where(Score.evaluator_id == user.id).order_by(Score.id)).all()
    return [{"framework_id": framework_id, "lot_id": s.lot_id, "bid_id": s.bid_id, "criterion": name,
             "score": str(s.score), "rationale": s.rationale, "scored_at": _when(s.scored_at)}
            for s, name, framework_id in rows]


def _moderated(user: User) -> list[dict]:
    return [{"lot_id": m.lot_id, "bid_id": m.bid_id, "criterion_id": m.criterion_id, "score": str(m.score),
             "reason": m.reason}
            for m in _rows(db.select(ModeratedScore).where(ModeratedScore.moderator_id == user.id)
                           .order_by(ModeratedScore.id))]


def _votes(user: User) -> list[dict]:
    rows = db.session.execute(db.select(BoardVote, Recommendation.framework_id).join(Recommendation)
                              .where(BoardVote.user_id == user.id).order_by(BoardVote.id)).all()
    return [{"framework_id": framework_id, "recommendation_id": v.recommendation_id, "decision": v.decision,
             "comment": v.comment, "voted_at": _when(v.voted_at)} for v, framework_id in rows]


def _signatures(user: User) -> list[dict]:
    signed = []
    for c in _rows(db.select(Contract).where(db.or_(Contract.signed_by_id == user.id,
                                                    Contract.countersigned_by_id == user.id)).order_by(Contract.id)):
        if c.signed_by_id == user.id:
            signed.append({"contract": c.reference, "as": "signatory", "name": c.signed_name,
                           "position": c.signed_position, "at": _when(c.signed_at), "address": c.signed_ip})
        if c.countersigned_by_id == user.id:
            signed.append({"contract": c.reference, "as": "countersignatory", "name": c.countersigned_name,
                           "position": None, "at": _when(c.countersigned_at), "address": c.countersigned_ip})
    return signed


def _events(user: User) -> list[dict]:
    # events_query leaves out the events of sealed objects (bids before their deadline), whoever asks.
    query = audit.events_query().where(AuditEvent.actor_id == user.id)
    return [{"action": e.action, "object_type": e.object_type, "object_id": e.object_id, "at": _when(e.at),
             "hash": e.hash} for e in _rows(query)]


def export(user: User, now: datetime | None = None) -> dict:
    """Everything held about `user`, section by section."""
    return {"exported_at": _when(now or utcnow()), "account": _account(user), "sessions": _sessions(user),
            "api_tokens": _tokens(user), "requirements": _requirements(user),
            "data_sharing_acceptances": _acceptances(user), "conflict_declarations": _conflicts(user),
            "exclusion_declarations": _exclusions(user), "supplier_contact": _contact(user),
            "scores": _scores(user), "moderated_scores": _moderated(user), "votes": _votes(user),
            "signatures": _signatures(user), "audit_events": _events(user)}


def as_pdf(user: User, now: datetime | None = None) -> bytes:
    """The same, as a readable PDF."""
    now = now or utcnow()
    return pdf.render("privacy_pages/pdf/data_export.html", created=now, data=export(user, now), sections=SECTIONS)


def person(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("There is no user with that id.")
    return user


def for_postal_request(actor: User, user_id: int, reference: str) -> User:
    """An admin produces a person's data for a request received by post; audited. Commits."""
    user = person(user_id)
    audit.record("subject_access.produced", user, actor=actor, after={"reference": reference.strip()[:200]})
    db.session.commit()
    return user
