"""Supplier organisations for `flask seed-scale`, in bulk inserts: each with a bidder (all sharing one password, hashed
once), a profile and a declaration that no exclusion ground applies."""
from dataclasses import dataclass

from sqlalchemy import insert

from app.accounts import services as accounts
from app.accounts.models import User
from app.audit import services as audit
from app.domain.roles import OrganisationKind, Role
from app.extensions import db
from app.organisations.models import Organisation
from app.types import utcnow
from suppliers.domain import exclusion
from suppliers.models import ExclusionDeclaration, SupplierProfile

NAME = "Scale Supplier {:05d} Ltd"
BATCH = 2000


@dataclass(frozen=True)
class ScaleSupplier:
    organisation_id: int
    user_id: int
    declaration_id: int


def already_seeded() -> bool:
    return db.session.scalar(db.select(Organisation.id).where(Organisation.name == NAME.format(1))) is not None


def _inserted(model, rows: list[dict]) -> list[int]:
    """Insert the rows in batches; their new ids, in the rows' order."""
    ids = []
    for start in range(0, len(rows), BATCH):
        result = db.session.execute(insert(model).returning(model.id, sort_by_parameter_order=True),
                                    rows[start:start + BATCH])
        ids.extend(result.scalars())
    return ids


def seed(count: int, password: str) -> list[ScaleSupplier]:
    """Add `count` supplier organisations (every third a large company, the rest SMEs), each with its bidder,
    profile and declaration; not committed."""
    now = utcnow()
    organisation_ids = _inserted(Organisation, [
        {"name": NAME.format(n), "kind": OrganisationKind.SUPPLIER, "sme": n % 3 != 0,
         "companies_house_number": f"SS{n:06d}", "created_at": now} for n in range(1, count + 1)])
    password_hash = accounts.hash_password(password)
    user_ids = _inserted(User, [
        {"email": f"bids@supplier{n:05d}.example", "name": f"Bids team, {NAME.format(n)}",
         "password_hash": password_hash, "role": Role.SUPPLIER, "organisation_id": organisation_id, "active": True,
         "failed_sign_ins": 0, "created_at": now} for n, organisation_id in enumerate(organisation_ids, start=1)])
    _inserted(SupplierProfile, [
        {"organisation_id": organisation_id, "registered_address": f"{n} Scale Street, London",
         "website": f"https://supplier{n:05d}.example", "contact_name": "Bids team",
         "contact_email": f"bids@supplier{n:05d}.example", "contact_phone": "020 7946 0000", "updated_at": now,
         "updated_by_id": user_id}
        for n, (organisation_id, user_id) in enumerate(zip(organisation_ids, user_ids, strict=True), start=1)])
    nothing_applies = {ground.code: False for ground in exclusion.GROUNDS}
    declaration_ids = _inserted(ExclusionDeclaration, [
        {"organisation_id": organisation_id, "answers": nothing_applies, "details": "", "self_cleaning": "",
         "made_by_id": user_id, "made_at": now}
        for organisation_id, user_id in zip(organisation_ids, user_ids, strict=True)])
    _audit(count, organisation_ids, user_ids, declaration_ids)
    return [ScaleSupplier(*ids) for ids in zip(organisation_ids, user_ids, declaration_ids, strict=True)]


def _audit(count: int, organisation_ids: list[int], user_ids: list[int], declaration_ids: list[int]) -> None:
    """The events the services would have written for each supplier, in the log's order, as one bulk append."""
    summary = exclusion.summary(exclusion.Declaration({g.code: False for g in exclusion.GROUNDS}, "", ""))
    entries = []
    for n, ids in enumerate(zip(organisation_ids, user_ids, declaration_ids, strict=True), start=1):
        organisation_id, user_id, declaration_id = ids
        entries += [
            {"action": "organisation.created", "object_type": "Organisation", "object_id": organisation_id,
             "after": {"name": NAME.format(n), "kind": "supplier", "sme": n % 3 != 0,
                       "companies_house_number": f"SS{n:06d}", "gss_code": None, "ppon": None, "domains": []}},
            {"action": "user.created", "object_type": "User", "object_id": user_id,
             "after": {"email": f"bids@supplier{n:05d}.example", "name": f"Bids team, {NAME.format(n)}",
                       "role": "supplier", "organisation_id": organisation_id, "active": True}},
            {"action": "supplier.declared", "object_type": "ExclusionDeclaration", "object_id": declaration_id,
             "after": {"summary": summary}},
        ]
    audit.record_many(entries)
