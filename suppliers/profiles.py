"""Supplier profiles and declarations against the exclusion grounds."""
from datetime import datetime

from app.accounts.models import User
from app.audit import services as audit
from app.domain.errors import Forbidden, ValidationFailed
from app.domain.identity import is_valid_companies_house_number, normalise_companies_house_number
from app.domain.roles import Role
from app.extensions import db
from app.organisations import services as organisations
from app.organisations.models import Organisation
from app.types import utcnow
from suppliers.domain import exclusion
from suppliers.models import ExclusionDeclaration, SupplierProfile

PROFILE_FIELDS = ("registered_address", "website", "contact_name", "contact_email", "contact_phone")


def _require_supplier(actor: User) -> Organisation:
    if actor.role != Role.SUPPLIER:
        raise Forbidden("Only a supplier's own users keep its profile and declaration.")
    return actor.organisation


def profile_of(organisation_id: int) -> SupplierProfile:
    """The organisation's profile, or an empty one (not added to the session) if it has none yet."""
    profile = db.session.scalar(db.select(SupplierProfile).where(SupplierProfile.organisation_id == organisation_id))
    return profile or SupplierProfile(organisation_id=organisation_id, **dict.fromkeys(PROFILE_FIELDS, ""))


def missing_before_bidding(organisation_id: int) -> list[str]:
    """What a supplier still lacks for its bids to be read fully: "profile" (its address and a contact) and
    "declaration" (against the exclusion grounds), in that order."""
    profile = db.session.scalar(db.select(SupplierProfile).where(SupplierProfile.organisation_id == organisation_id))
    missing = [] if profile and profile.registered_address and profile.contact_name and profile.contact_email \
        else ["profile"]
    if current_declaration(organisation_id) is None:
        missing.append("declaration")
    return missing


def update_profile(actor: User, changes: dict, now: datetime | None = None) -> SupplierProfile:
    """Change the supplier's profile, SME status, Companies House number and PPON. Commits."""
    organisation = _require_supplier(actor)
    profile = profile_of(organisation.id)
    before = _audited(profile_json(profile, organisation))
    if "companies_house_number" in changes:
        _set_companies_house_number(organisation, changes["companies_house_number"])
    if "ppon" in changes:
        organisation.ppon = organisations.checked_ppon(changes["ppon"], organisation.id)
    if "sme" in changes:
        organisation.sme = bool(changes["sme"])
    for name in PROFILE_FIELDS:
        if name in changes:
            setattr(profile, name, " ".join(str(changes[name] or "").split()) if name != "registered_address"
                    else str(changes[name] or "").strip())
    profile.updated_at, profile.updated_by_id = now or utcnow(), actor.id
    db.session.add(profile)
    audit.record("supplier.profile_updated", organisation, actor=actor, before=before,
                 after=_audited(profile_json(profile, organisation)))
    db.session.commit()
    return profile


def _set_companies_house_number(organisation: Organisation, value: str | None) -> None:
    number = normalise_companies_house_number(value) if value else None
    if number and not is_valid_companies_house_number(number):
        message = "Enter a Companies House number of 8 digits, or 2 letters and 6 digits, like 01234567."
        raise ValidationFailed(message, {"companies_house_number": message})
    if number and db.session.scalar(db.select(Organisation.id).where(
            Organisation.companies_house_number == number, Organisation.id != organisation.id)):
        message = "Another supplier is registered with this Companies House number."
        raise ValidationFailed(message, {"companies_house_number": message})
    organisation.companies_house_number = number


def current_declaration(organisation_id: int) -> ExclusionDeclaration | None:
    return db.session.scalar(db.select(ExclusionDeclaration)
                             .where(ExclusionDeclaration.organisation_id == organisation_id)
                             .order_by(ExclusionDeclaration.id.desc()).limit(1))


def declare(actor: User, answers: dict[str, bool], details: str = "", self_cleaning: str = "",
            now: datetime | None = None) -> ExclusionDeclaration:
    """Make a new declaration for the supplier; bids submitted from now on carry it. Commits."""
    organisation = _require_supplier(actor)
    declaration = exclusion.Declaration(dict(answers), details.strip(), self_cleaning.strip())
    problems = exclusion.problems(declaration)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    record = ExclusionDeclaration(organisation_id=organisation.id, answers=dict(declaration.answers),
                                  details=declaration.details, self_cleaning=declaration.self_cleaning,
                                  made_by_id=actor.id, made_at=now or utcnow())
    db.session.add(record)
    audit.record("supplier.declared", record, actor=actor, after={"summary": exclusion.summary(declaration)})
    db.session.commit()
    return record


def as_domain(record: ExclusionDeclaration | None) -> exclusion.Declaration | None:
    if record is None:
        return None
    return exclusion.Declaration(dict(record.answers), record.details, record.self_cleaning)


CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")


def _audited(snapshot: dict) -> dict:
    """The profile as the audit log keeps it: whether a contact is given, never who (a person's contact details
    are erased on request, and the log never changes)."""
    return {name: (bool(value) if name in CONTACT_FIELDS else value) for name, value in snapshot.items()}


def profile_json(profile: SupplierProfile, organisation: Organisation) -> dict:
    return {"organisation_id": organisation.id, "name": organisation.name, "sme": organisation.sme,
            "companies_house_number": organisation.companies_house_number, "ppon": organisation.ppon,
            **{name: getattr(profile, name) or "" for name in PROFILE_FIELDS}}
