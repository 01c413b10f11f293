"""What a framework or a call-off looks like to the open data at one moment, read from the database into the plain
values of `consort.publication.domain`, and built into a release."""
from datetime import UTC, datetime, time
from decimal import Decimal

from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations.models import Organisation
from consort.publication.domain import calloffs as calloff_releases
from consort.publication.domain import ocds
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.domain.taxonomy import CATEGORIES
from frameworks.models import Framework
from procurement.board import services as board
from procurement.calloffs.models import CallOff, MiniCompetition
from procurement.contracts import services as contracts
from suppliers import bids

OCID_PREFIX = "ocds-cnsrt1"
AWARDED = (FrameworkStatus.STANDSTILL, FrameworkStatus.AWARDED, FrameworkStatus.EXPIRED)


def framework_ocid(framework: Framework) -> str:
    return f"{OCID_PREFIX}-{framework.reference}"


def party_id(organisation_id: int) -> str:
    return f"consort-org-{organisation_id}"


def party(organisation: Organisation, roles: tuple[str, ...]) -> ocds.Party:
    """An organisation as a party: identified by Companies House number or PPON, with its GSS code beside, and a
    supplier's scale (SME or large) from its SME flag."""
    identifier, additional = ocds.organisation_identifiers(
        companies_house_number=organisation.companies_house_number, ppon=organisation.ppon,
        gss_code=organisation.gss_code)
    scale = ("sme" if organisation.sme else "large") if organisation.kind == OrganisationKind.SUPPLIER else None
    return ocds.Party(id=party_id(organisation.id), name=organisation.name, roles=roles, identifier=identifier,
                      additional_identifiers=additional, scale=scale)


def consortium() -> Organisation:
    found = db.session.scalar(db.select(Organisation).where(
        Organisation.kind == OrganisationKind.CONSORTIUM).order_by(Organisation.id).limit(1))
    return found or Organisation(id=0, name="Consort", kind=OrganisationKind.CONSORTIUM)


def _category(lot):
    first = lot.pooled[0].requirement if lot.pooled else None
    return first, (CATEGORIES.get(first.category) if first else None)


def _lot(lot) -> ocds.TenderLot:
    demand = frameworks.demand(lot)
    first, category = _category(lot)
    return ocds.TenderLot(
        number=lot.number, title=lot.title, description=lot.description, budget=lot.budget,
        max_awards=lot.max_awards, price_weight=lot.price_weight, price_formula=lot.price_formula,
        criteria=tuple(ocds.LotCriterion(c.name, c.weight, c.max_score) for c in lot.criteria),
        cpv=category.cpv if category else "72000000-5",
        cpv_description=category.cpv_description if category else "IT services",
        quantity=demand.quantity, unit=first.unit if first else "unit",
        buyer_ids=tuple(party_id(a.organisation_id) for a in demand.authorities),
    )


def _organisations(ids) -> dict[int, Organisation]:
    ids = set(ids)
    if not ids:
        return {}
    return {o.id: o for o in db.session.scalars(db.select(Organisation).where(Organisation.id.in_(ids)))}


def framework_release(framework: Framework, event: str, now: datetime) -> dict:
    """The release of `event` in the framework's life (a key of `domain.ocds.EVENT_TAGS`), as it stands now."""
    status = framework.status
    buyers = {p.requirement.organisation_id: p.requirement.organisation for lot in framework.lots for p in lot.pooled}
    tenderer_ids = bids.tenderers(framework, now)
    known = _organisations(tenderer_ids or ())
    snapshot = ocds.FrameworkRelease(
        ocid=framework_ocid(framework), event=event, date=now, reference=framework.reference,
        title=framework.title, description=framework.description, status=status.value,
        maximum_value=framework.maximum_value, bid_deadline=framework.bid_deadline,
        question_deadline=framework.question_deadline, published_at=framework.published_at,
        duration_months=framework.duration_months, max_lots_per_supplier=framework.max_lots_per_supplier,
        procuring_entity=party(consortium(), ("procuringEntity", "buyer")),
        buyers=tuple(party(org, ("buyer",)) for _, org in sorted(buyers.items())),
        lots=tuple(_lot(lot) for lot in framework.lots),
        bid_counts=_bid_counts(framework, now),
        tenderers=None if tenderer_ids is None else tuple(party(known[i], ("tenderer",)) for i in tenderer_ids),
        **_award_stages(framework, status),
    )
    return ocds.release(snapshot)


def _term(agreement) -> tuple[datetime, datetime]:
    term = agreement.terms["term"]
    return tuple(datetime.combine(datetime.fromisoformat(term[k]).date(), time(), tzinfo=UTC)
                 for k in ("starts", "ends"))


def _contract_status(agreement, status: FrameworkStatus) -> str:
    if status == FrameworkStatus.EXPIRED:
        return "terminated"
    return "active" if agreement.status == "countersigned" else "pending"


def _award_stages(framework: Framework, status: FrameworkStatus) -> dict:
    """The awards (from the board's approval) and the framework agreements (from the award)."""
    if status not in AWARDED:
        return {}
    recommendation = board.latest_for(framework.id)
    if recommendation is None or recommendation.outcome != "approved":
        return {}
    numbers = {lot.id: lot.number for lot in framework.lots}
    by_supplier: dict[int, list[dict]] = {}
    for entry in recommendation.award_run.result.get("awards", []):
        by_supplier.setdefault(entry["supplier_id"], []).append(entry)
    organisations = _organisations(by_supplier)
    agreements = {c.supplier_id: c for c in contracts.agreements_of(framework.id)}
    awarded = status != FrameworkStatus.STANDSTILL
    awards, made = [], []
    for supplier_id, entries in sorted(by_supplier.items()):
        agreement = agreements.get(supplier_id)
        period = _term(agreement) if agreement is not None else None
        award = ocds.AwardEntry(
            id=f"{framework.reference}-award-{supplier_id}", supplier_id=party_id(supplier_id),
            lot_numbers=tuple(sorted(numbers[e["lot_id"]] for e in entries)),
            value=sum((Decimal(e["price"]) for e in entries), Decimal(0)),
            date=recommendation.decided_at, status="active" if awarded else "pending",
            starts=period[0] if period else None, ends=period[1] if period else None)
        awards.append(award)
        if agreement is not None:
            made.append(ocds.ContractEntry(
                id=agreement.reference, award_id=award.id, title=f"Framework agreement {agreement.reference}",
                value=agreement.value, status=_contract_status(agreement, status),
                signed=agreement.countersigned_at, starts=period[0], ends=period[1]))
    return {"suppliers": tuple(party(organisations[s], ("supplier",)) for s in sorted(by_supplier)),
            "awards": tuple(awards), "contracts": tuple(made)}


def _bid_counts(framework: Framework, now: datetime) -> ocds.BidCounts | None:
    counts = bids.opened_counts(framework, now)
    if counts is None:
        return None
    numbers = {lot.id: lot.number for lot in framework.lots}
    return ocds.BidCounts(counts.bids, counts.sme_bids,
                          {numbers[lot_id]: n for lot_id, n in counts.by_lot.items()})


def call_off_ocid(framework: Framework, call_off: CallOff) -> str:
    return f"{framework_ocid(framework)}-CO-{call_off.id}"


def call_off_release(call_off: CallOff) -> dict:
    """The release of a call-off placed under an awarded framework."""
    framework = frameworks.get(call_off.framework_id)
    lot = next(lot for lot in framework.lots if lot.id == call_off.lot_id)
    _, category = _category(lot)
    organisations = _organisations({call_off.organisation_id, call_off.supplier_id})
    competed = db.session.scalar(db.select(MiniCompetition.id).where(MiniCompetition.call_off_id == call_off.id))
    return calloff_releases.release(calloff_releases.CallOffRelease(
        ocid=call_off_ocid(framework, call_off), reference=f"{framework.reference}-CO-{call_off.id}",
        date=call_off.created_at, framework_ocid=framework_ocid(framework), framework_title=framework.title,
        lot_number=lot.number, lot_title=lot.title, description=call_off.description, value=call_off.value,
        method="mini-competition" if competed else "direct",
        cpv=category.cpv if category else "72000000-5",
        cpv_description=category.cpv_description if category else "IT services",
        buyer=party(organisations[call_off.organisation_id], ("buyer",)),
        supplier=party(organisations[call_off.supplier_id], ("supplier",))))


def contract_call_off_ocid(framework: Framework, contract) -> str:
    """A call-off contract issued at the award: its own process, named by its reference ("REF/CO/01/E09000007")."""
    return f"{framework_ocid(framework)}-{contract.reference.removeprefix(framework.reference + '/').replace('/', '-')}"


def contract_call_off_release(contract) -> dict:
    """The release of an authority's call-off contract issued at the award, once both sides have signed it."""
    framework = frameworks.get(contract.framework_id)
    lot = next(lot for lot in framework.lots if lot.id == contract.lot_ids[0])
    _, category = _category(lot)
    organisations = _organisations({contract.organisation_id, contract.supplier_id})
    return calloff_releases.release(calloff_releases.CallOffRelease(
        ocid=contract_call_off_ocid(framework, contract), reference=contract.reference,
        date=contract.countersigned_at, framework_ocid=framework_ocid(framework), framework_title=framework.title,
        lot_number=lot.number, lot_title=lot.title,
        description=f"The call-off contract for {lot.title}, made when the framework was awarded.",
        value=contract.value, method="direct", cpv=category.cpv if category else "72000000-5",
        cpv_description=category.cpv_description if category else "IT services",
        buyer=party(organisations[contract.organisation_id], ("buyer",)),
        supplier=party(organisations[contract.supplier_id], ("supplier",))))
