"""Data-sharing agreements: publishing a version, accepting and withdrawing, and the pooling rule. Each change is
audited in the transaction that makes it."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from app.accounts.models import User
from app.audit import services as audit
from app.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.domain.roles import OrganisationKind, Role
from app.extensions import db
from app.organisations.models import Organisation
from app.types import utcnow
from frameworks.sharing.models import AgreementAcceptance, DataSharingAgreement

AGREEMENT_FIELDS = ("title", "text", "purpose", "data_shared", "lawful_basis", "recipients", "review_on")


@dataclass(frozen=True)
class AgreementText:
    title: str
    text: str
    purpose: str
    data_shared: str
    lawful_basis: str
    recipients: str
    review_on: date


def current() -> DataSharingAgreement | None:
    """The newest version, which every authority must have accepted to pool requirements."""
    return db.session.scalars(db.select(DataSharingAgreement)
                              .order_by(DataSharingAgreement.version.desc()).limit(1)).first()


def current_or_404() -> DataSharingAgreement:
    agreement = current()
    if agreement is None:
        raise NotFound("The consortium has not published a data-sharing agreement yet.")
    return agreement


def versions() -> list[DataSharingAgreement]:
    return list(db.session.scalars(db.select(DataSharingAgreement).order_by(DataSharingAgreement.version.desc())))


def _snapshot(agreement: DataSharingAgreement) -> dict:
    return {name: getattr(agreement, name) for name in ("version", *AGREEMENT_FIELDS)}


def publish(actor: User | None, values: AgreementText, today: date) -> DataSharingAgreement:
    """An admin publishes a new version; every authority must accept it before pooling again. Commits."""
    problems = {name: "This cannot be empty." for name in AGREEMENT_FIELDS[:-1] if not getattr(values, name).strip()}
    if values.review_on <= today:
        problems["review_on"] = "The review date must be in the future."
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    db.session.execute(db.select(DataSharingAgreement.id).with_for_update())  # one new version at a time
    previous = current()
    agreement = DataSharingAgreement(version=(previous.version if previous else 0) + 1,
                                     published_by_id=getattr(actor, "id", None), **values.__dict__)
    db.session.add(agreement)
    audit.record("data_sharing_agreement.published", agreement, actor=actor,
                 before=_snapshot(previous) if previous else None, after=_snapshot(agreement))
    db.session.commit()
    return agreement


def acceptance_in_force(organisation_id: int, agreement_id: int) -> AgreementAcceptance | None:
    return db.session.scalars(db.select(AgreementAcceptance).where(
        AgreementAcceptance.organisation_id == organisation_id, AgreementAcceptance.agreement_id == agreement_id,
        AgreementAcceptance.withdrawn_at.is_(None))).first()


def acceptances(agreement: DataSharingAgreement, actor: User) -> list[AgreementAcceptance]:
    """Who accepted this version and has not withdrawn: every authority for admins, their own for officers."""
    query = db.select(AgreementAcceptance).where(AgreementAcceptance.agreement_id == agreement.id,
                                                 AgreementAcceptance.withdrawn_at.is_(None))
    if actor.role != Role.ADMIN:
        query = query.where(AgreementAcceptance.organisation_id == actor.organisation_id)
    return list(db.session.scalars(query.order_by(AgreementAcceptance.accepted_at)))


def history(organisation_id: int) -> list[AgreementAcceptance]:
    """Every acceptance of the authority, newest first, withdrawn ones included."""
    return list(db.session.scalars(db.select(AgreementAcceptance).where(
        AgreementAcceptance.organisation_id == organisation_id).order_by(AgreementAcceptance.id.desc())))


def _acceptance_snapshot(acceptance: AgreementAcceptance) -> dict:
    # The officer by id only: the audit log keeps no name that erasure would have to change.
    return {"agreement_id": acceptance.agreement_id, "version": acceptance.agreement.version,
            "organisation_id": acceptance.organisation_id, "officer_id": acceptance.officer_id,
            "withdrawn": acceptance.withdrawn_at is not None}


def _officer_of_an_authority(actor: User) -> None:
    if actor.role != Role.OFFICER or actor.organisation.kind != OrganisationKind.AUTHORITY:
        raise Forbidden("Only an officer of an authority accepts or withdraws its data-sharing agreement.")


def _lock_authority(organisation_id: int) -> None:
    db.session.execute(db.select(Organisation.id).where(Organisation.id == organisation_id).with_for_update())


def accept(actor: User, agreement_id: int, name: str = "", position: str = "",
           now: datetime | None = None) -> AgreementAcceptance:
    """An officer accepts the current version for their authority, in their own name. Commits."""
    _officer_of_an_authority(actor)
    agreement = db.session.get(DataSharingAgreement, agreement_id)
    if agreement is None:
        raise NotFound("There is no data-sharing agreement with that id.")
    _lock_authority(actor.organisation_id)
    latest = current_or_404()
    if agreement.id != latest.id:
        raise Conflict(f"Version {agreement.version} has been replaced by version {latest.version}: "
                       "read and accept the current one.")
    if acceptance_in_force(actor.organisation_id, agreement.id) is not None:
        raise Conflict(f"{actor.organisation.name} has already accepted version {agreement.version}.")
    acceptance = AgreementAcceptance(agreement=agreement, organisation_id=actor.organisation_id,
                                     officer_id=actor.id, officer_name=(name.strip() or actor.name or actor.email),
                                     position=position.strip(), accepted_at=now or utcnow())
    db.session.add(acceptance)
    audit.record("data_sharing_agreement.accepted", acceptance, actor=actor, after=_acceptance_snapshot(acceptance))
    db.session.commit()
    return acceptance


def withdraw(actor: User, agreement_id: int, now: datetime | None = None) -> AgreementAcceptance:
    """An officer withdraws their authority's acceptance: no new pooling; frameworks already tendered go on. Commits."""
    _officer_of_an_authority(actor)
    if db.session.get(DataSharingAgreement, agreement_id) is None:
        raise NotFound("There is no data-sharing agreement with that id.")
    _lock_authority(actor.organisation_id)
    acceptance = acceptance_in_force(actor.organisation_id, agreement_id)
    if acceptance is None:
        raise Conflict(f"{actor.organisation.name} has no acceptance of this agreement to withdraw.")
    before = _acceptance_snapshot(acceptance)
    acceptance.withdrawn_at, acceptance.withdrawn_by_id = now or utcnow(), actor.id
    audit.record("data_sharing_agreement.withdrawn", acceptance, actor=actor, before=before,
                 after=_acceptance_snapshot(acceptance))
    db.session.commit()
    return acceptance


def not_accepted(organisation_ids: Iterable[int]) -> list[Organisation]:
    """The authorities among these that have not accepted the current version (all of them, if there is none)."""
    ids = set(organisation_ids)
    if not ids:
        return []
    agreement = current()
    accepted = set() if agreement is None else set(db.session.scalars(
        db.select(AgreementAcceptance.organisation_id).where(
            AgreementAcceptance.agreement_id == agreement.id, AgreementAcceptance.withdrawn_at.is_(None),
            AgreementAcceptance.organisation_id.in_(ids))))
    missing = ids - accepted
    return list(db.session.scalars(db.select(Organisation).where(Organisation.id.in_(missing))
                                   .order_by(Organisation.name))) if missing else []


def require_accepted(organisation_ids: Iterable[int]) -> None:
    """Refuse (409) to pool the requirements of an authority that has not accepted the current agreement."""
    missing = not_accepted(organisation_ids)
    if missing:
        agreement = current()
        which = f"version {agreement.version} of the data-sharing agreement" if agreement else \
            "a data-sharing agreement (the consortium has not published one yet)"
        names = ", ".join(o.name for o in missing)
        has, its = ("has", "its") if len(missing) == 1 else ("have", "their")
        message = f"{names} {has} not accepted {which}, so {its} requirements cannot be pooled."
        raise Conflict(message, {"requirement_ids": message})
