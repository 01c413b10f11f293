"""Creating and reading organisations."""
from app.audit import services as audit
from app.domain.errors import NotFound, ValidationFailed
from app.domain.identity import (
    is_valid_companies_house_number,
    is_valid_domain,
    is_valid_ppon,
    normalise_companies_house_number,
    normalise_domain,
    normalise_ppon,
)
from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations.models import Organisation, OrganisationDomain


def get(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("There is no organisation with that id.")
    return organisation


def find_by_name(name: str) -> Organisation | None:
    return db.session.scalar(db.select(Organisation).where(db.func.lower(Organisation.name) == name.strip().lower()))


def authorities() -> list[Organisation]:
    return list(db.session.scalars(
        db.select(Organisation).where(Organisation.kind == OrganisationKind.AUTHORITY).order_by(Organisation.name)
    ))


def list_query(kind: OrganisationKind | None = None):
    query = db.select(Organisation).order_by(Organisation.name)
    return query.where(Organisation.kind == kind) if kind else query


def add(name: str, kind: OrganisationKind, *, actor=None, sme: bool = False,
        companies_house_number: str | None = None, gss_code: str | None = None, ppon: str | None = None,
        domains: list[str] = ()) -> Organisation:
    """Add an organisation to the session (with its audit event); the caller commits."""
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed("Enter the organisation's name.", {"name": "Enter the organisation's name."})
    if find_by_name(name):
        message = f"An organisation called '{name}' is already registered."
        raise ValidationFailed(message, {"name": message})
    if companies_house_number:
        companies_house_number = normalise_companies_house_number(companies_house_number)
        if not is_valid_companies_house_number(companies_house_number):
            message = "Enter a Companies House number of 8 digits, or 2 letters and 6 digits, like 01234567."
            raise ValidationFailed(message, {"companies_house_number": message})
        if db.session.scalar(db.select(Organisation.id).where(
                Organisation.companies_house_number == companies_house_number)):
            message = "A supplier with this Companies House number is already registered."
            raise ValidationFailed(message, {"companies_house_number": message})
    organisation = Organisation(
        name=name, kind=kind, sme=sme if kind == OrganisationKind.SUPPLIER else False,
        companies_house_number=companies_house_number or None, gss_code=gss_code, ppon=checked_ppon(ppon),
    )
    db.session.add(organisation)
    for domain in domains:
        _add_domain(organisation, domain)
    audit.record("organisation.created", organisation, actor=actor, after=snapshot(organisation))
    return organisation


def checked_ppon(value: str | None, organisation_id: int | None = None) -> str | None:
    """A PPON in its normal form, or None for none; refused if malformed or another organisation's."""
    if not value or not value.strip():
        return None
    ppon = normalise_ppon(value)
    if not is_valid_ppon(ppon):
        message = "Enter the PPON the Central Digital Platform gave you: P and three letters, four digits, four " \
                  "letters, like PABC-1234-DEFG."
        raise ValidationFailed(message, {"ppon": message})
    if db.session.scalar(db.select(Organisation.id).where(Organisation.ppon == ppon, Organisation.id != organisation_id)
                         if organisation_id else db.select(Organisation.id).where(Organisation.ppon == ppon)):
        message = "Another organisation is registered with this PPON."
        raise ValidationFailed(message, {"ppon": message})
    return ppon


def set_domains(organisation: Organisation, domains: list[str], *, actor) -> Organisation:
    """Replace the e-mail domains an authority's officers may sign up from, and commit."""
    if organisation.kind != OrganisationKind.AUTHORITY:
        message = "Only an authority has sign-up domains."
        raise ValidationFailed(message, {"domains": message})
    before = snapshot(organisation)
    wanted = {normalise_domain(d) for d in domains if d.strip()}
    for existing in list(organisation.domains):
        if existing.domain not in wanted:
            organisation.domains.remove(existing)
    db.session.flush()
    present = {d.domain for d in organisation.domains}
    for domain in sorted(wanted - present):
        _add_domain(organisation, domain)
    audit.record("organisation.domains_changed", organisation, actor=actor, before=before, after=snapshot(organisation))
    db.session.commit()
    return organisation


def _add_domain(organisation: Organisation, domain: str) -> None:
    domain = normalise_domain(domain)
    if not is_valid_domain(domain):
        raise ValidationFailed(f"'{domain}' is not an e-mail domain, like camden.gov.uk.",
                               {"domains": f"'{domain}' is not an e-mail domain, like camden.gov.uk."})
    owner = db.session.scalar(db.select(OrganisationDomain).where(OrganisationDomain.domain == domain))
    if owner is not None and owner.organisation is not organisation:
        message = f"The domain {domain} already belongs to {owner.organisation.name}."
        raise ValidationFailed(message, {"domains": message})
    organisation.domains.append(OrganisationDomain(domain=domain))


def snapshot(organisation: Organisation) -> dict:
    return {
        "name": organisation.name,
        "kind": organisation.kind.value,
        "sme": organisation.sme,
        "companies_house_number": organisation.companies_house_number,
        "gss_code": organisation.gss_code,
        "ppon": organisation.ppon,
        "domains": [d.domain for d in organisation.domains],
    }


def listed(kind: OrganisationKind | None = None) -> list[Organisation]:
    """Every organisation (of one kind, if given), by name."""
    return list(db.session.scalars(list_query(kind)))
