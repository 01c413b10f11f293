"""The OCDS release package of a framework, and its validation against the schema kept in ocds_schema/."""
import copy
import json
from functools import cache
from pathlib import Path

from app.domain.errors import NotFound
from app.domain.roles import OrganisationKind
from app.extensions import db
from app.links import public_url
from app.organisations.models import Organisation
from app.types import utcnow
from consort.publication.domain import ocds
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.domain.taxonomy import CATEGORIES
from frameworks.models import Framework
from procurement.board import services as board
from procurement.contracts import (
        services as contracts,  # the award builds on frameworks: asked here, not imported at the top
    )
from suppliers import bids

SCHEMA_DIR = Path(__file__).parent / "ocds_schema"
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
OCID_PREFIX = "ocds-cnsrt1"


def _party(organisation: Organisation, roles: tuple[str, ...]) -> ocds.Party:
    identifier = ("GB-GSS", organisation.gss_code) if organisation.gss_code else None
    return ocds.Party(id=f"consort-org-{organisation.id}", name=organisation.name, roles=roles, identifier=identifier)


def _consortium() -> Organisation:
    consortium = db.session.scalar(db.select(Organisation).where(
        Organisation.kind == OrganisationKind.CONSORTIUM).order_by(Organisation.id).limit(1))
    return consortium or Organisation(id=0, name="Consort", kind=OrganisationKind.CONSORTIUM)


def _lot(lot) -> ocds.TenderLot:
    demand = frameworks.demand(lot)
    first = lot.pooled[0].requirement if lot.pooled else None
    category = CATEGORIES.get(first.category) if first else None
    return ocds.TenderLot(
        number=lot.number, title=lot.title, description=lot.description, budget=lot.budget,
        max_awards=lot.max_awards, price_weight=lot.price_weight, price_formula=lot.price_formula,
        criteria=tuple(ocds.LotCriterion(c.name, c.weight, c.max_score) for c in lot.criteria),
        cpv=category.cpv if category else "72000000-5",
        cpv_description=category.cpv_description if category else "IT services",
        quantity=demand.quantity, unit=first.unit if first else "unit",
        buyer_ids=tuple(f"consort-org-{a.organisation_id}" for a in demand.authorities),
    )


def snapshot(framework: Framework) -> ocds.FrameworkRelease:
    status = framework.current_status(utcnow())
    buyers = {p.requirement.organisation_id: p.requirement.organisation for lot in framework.lots for p in lot.pooled}
    changes = [framework.created_at, framework.published_at, framework.closed_at, framework.evaluation_started_at,
               framework.recommended_at, framework.standstill_started_at, framework.awarded_at,
               framework.expired_at, framework.cancelled_at]
    return ocds.FrameworkRelease(
        ocid=f"{OCID_PREFIX}-{framework.reference}", reference=framework.reference, title=framework.title,
        description=framework.description, status=status.value, created_at=framework.created_at,
        updated_at=max(moment for moment in changes if moment is not None),
        maximum_value=framework.maximum_value, bid_deadline=framework.bid_deadline,
        question_deadline=framework.question_deadline, published_at=framework.published_at,
        duration_months=framework.duration_months, max_lots_per_supplier=framework.max_lots_per_supplier,
        procuring_entity=_party(_consortium(), ("procuringEntity", "buyer")),
        buyers=tuple(_party(org, ("buyer",)) for _, org in sorted(buyers.items())),
        lots=tuple(_lot(lot) for lot in framework.lots),
        bid_counts=_bid_counts(framework),
        **_award_stages(framework, status),
    )


def _award_stages(framework: Framework, status: FrameworkStatus) -> dict:
    """The awards (from the board's approval) and the framework agreements (from the award)."""
    if status not in (FrameworkStatus.STANDSTILL, FrameworkStatus.AWARDED, FrameworkStatus.EXPIRED):
        return {}
    from datetime import UTC, datetime, time
    from decimal import Decimal

    recommendation = board.latest_for(framework.id)
    if recommendation is None or recommendation.outcome != "approved":
        return {}
    numbers = {lot.id: lot.number for lot in framework.lots}
    by_supplier: dict[int, list[dict]] = {}
    for entry in recommendation.award_run.result.get("awards", []):
        by_supplier.setdefault(entry["supplier_id"], []).append(entry)
    organisations = {o.id: o for o in db.session.scalars(db.select(Organisation).where(
        Organisation.id.in_(by_supplier)))}
    agreements = {c.supplier_id: c for c in contracts.agreements_of(framework.id)}
    awarded = status != FrameworkStatus.STANDSTILL
    awards, made = [], []
    for supplier_id, entries in sorted(by_supplier.items()):
        agreement = agreements.get(supplier_id)
        period = None
        if agreement is not None:
            term = agreement.terms["term"]
            period = tuple(datetime.combine(datetime.fromisoformat(term[k]).date(), time(), tzinfo=UTC)
                           for k in ("starts", "ends"))
        award = ocds.AwardEntry(
            id=f"{framework.reference}-award-{supplier_id}", supplier_id=f"consort-org-{supplier_id}",
            lot_numbers=tuple(sorted(numbers[e["lot_id"]] for e in entries)),
            value=sum((Decimal(e["price"]) for e in entries), Decimal(0)),
            date=recommendation.decided_at, status="active" if awarded else "pending",
            starts=period[0] if period else None, ends=period[1] if period else None)
        awards.append(award)
        if agreement is not None and period:
            made.append(ocds.ContractEntry(
                id=agreement.reference, award_id=award.id, title=f"Framework agreement {agreement.reference}",
                value=agreement.value, status="active" if agreement.status == "countersigned" else "pending",
                signed=agreement.countersigned_at, starts=period[0], ends=period[1]))
    return {"suppliers": tuple(_party(organisations[s], ("supplier", "tenderer")) for s in sorted(by_supplier)),
            "awards": tuple(awards), "contracts": tuple(made)}


def _bid_counts(framework: Framework) -> ocds.BidCounts | None:
    counts = bids.opened_counts(framework)
    if counts is None:
        return None
    numbers = {lot.id: lot.number for lot in framework.lots}
    return ocds.BidCounts(counts.bids, counts.sme_bids,
                          {numbers[lot_id]: n for lot_id, n in counts.by_lot.items()})


def release_package(framework_id: int) -> dict:
    """The framework's release package; a framework that was never published has none."""
    framework = frameworks.get(framework_id)
    if framework.status == FrameworkStatus.DRAFT or framework.published_at is None:
        raise NotFound("This framework has not been published, so it has no OCDS release yet.")
    uri = public_url("publication.ocds_download", framework_id=framework.id)
    return ocds.release_package(snapshot(framework), uri=uri, publisher=_consortium().name, published=utcnow())


@cache
def patched_release_schema() -> dict:
    """The OCDS 1.1.5 release schema with the lots, bid and techniques extensions merged in (RFC 7386)."""
    schema = json.loads((SCHEMA_DIR / "1.1.5" / "release-schema.json").read_text())
    for extension in ("ocds_lots_extension", "ocds_bid_extension", "ocds_techniques_extension"):
        patch = json.loads((SCHEMA_DIR / "extensions" / extension / "release-schema.json").read_text())
        schema = _merge_patch(schema, patch)
    return schema


def _merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


def validation_errors(package: dict) -> list[str]:
    """Every way a release package breaks the schema, offline; empty when it is valid."""
    from jsonschema import Draft4Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    release_schema = patched_release_schema()
    package_schema = json.loads((SCHEMA_DIR / "1.1.5" / "release-package-schema.json").read_text())
    registry = Registry().with_resource(RELEASE_SCHEMA_URL, Resource(release_schema, specification=DRAFT4))
    validator = Draft4Validator(package_schema, registry=registry, format_checker=FormatChecker())
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(package)]
