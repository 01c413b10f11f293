"""Counts for the dashboards, straight from the database."""
from sqlalchemy import func

from app.accounts.models import Invitation, User
from app.audit import services as audit
from app.audit.models import AuditEvent
from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations.models import Organisation
from app.types import utcnow


def organisation_counts() -> dict[str, int]:
    rows = db.session.execute(db.select(Organisation.kind, func.count()).group_by(Organisation.kind)).all()
    counts = {kind.value: 0 for kind in OrganisationKind}
    counts.update({kind.value: n for kind, n in rows})
    return counts


def sme_supplier_count() -> int:
    return db.session.scalar(db.select(func.count()).select_from(Organisation).where(
        Organisation.kind == OrganisationKind.SUPPLIER, Organisation.sme.is_(True))) or 0


def users_by_role(organisation_id: int | None = None) -> dict[str, int]:
    query = db.select(User.role, func.count()).group_by(User.role)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return {role.value: n for role, n in db.session.execute(query).all()}


def pending_invitations() -> int:
    now = utcnow()
    return db.session.scalar(db.select(func.count()).select_from(Invitation).where(
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > now)) or 0


def audit_event_count() -> int:
    """The log's leaves are numbered 0, 1, 2, ... without a gap, so the newest leaf counts them: one step down the
    unique index, where counting the rows reads them all."""
    last = db.session.scalar(db.select(func.max(AuditEvent.log_index)))
    return 0 if last is None else last + 1


def recent_events(limit: int = 5) -> list[AuditEvent]:
    return list(db.session.scalars(audit.events_query().limit(limit)))
