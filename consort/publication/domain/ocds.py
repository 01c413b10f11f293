"""An OCDS 1.1.5 release package for a framework's planning, tender, award and contract stages, from plain data.

The framework is one contracting process (one ocid) with tender.techniques.hasFrameworkAgreement = true. Its
awards are one per winning supplier (the lots it won), published from the board's approval (pending during the
standstill, active once awarded); its contracts are the framework agreements. Call-offs under the framework are
contracting processes of their own. Nothing sealed is passed in here, so nothing sealed can come out.
"""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json",
]
TENDER_STATUS = {
    "draft": "planning", "open": "active", "closed": "active", "evaluation": "active", "recommended": "active",
    "standstill": "active", "awarded": "complete", "expired": "complete", "cancelled": "cancelled",
}


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    roles: tuple[str, ...]
    identifier: tuple[str, str] | None = None  # (scheme, id), e.g. ("GB-GSS", "E09000007")


@dataclass(frozen=True)
class LotCriterion:
    name: str
    weight: int
    max_score: int


@dataclass(frozen=True)
class TenderLot:
    number: int
    title: str
    description: str
    budget: Decimal
    max_awards: int
    price_weight: int
    price_formula: str
    criteria: tuple[LotCriterion, ...]
    cpv: str
    cpv_description: str
    quantity: Decimal
    unit: str
    buyer_ids: tuple[str, ...]


@dataclass(frozen=True)
class FrameworkRelease:
    ocid: str
    reference: str
    title: str
    description: str
    status: str
    created_at: datetime
    updated_at: datetime
    maximum_value: Decimal
    bid_deadline: datetime
    question_deadline: datetime
    published_at: datetime | None
    duration_months: int
    max_lots_per_supplier: int | None
    procuring_entity: Party
    buyers: tuple[Party, ...]
    lots: tuple[TenderLot, ...] = field(default_factory=tuple)
    # Counts of the bids received: None while the bids are sealed, so not even their number is published.
    bid_counts: "BidCounts | None" = None
    suppliers: tuple[Party, ...] = ()
    awards: tuple["AwardEntry", ...] = ()
    contracts: tuple["ContractEntry", ...] = ()


@dataclass(frozen=True)
class AwardEntry:
    id: str
    supplier_id: str  # the party id
    lot_numbers: tuple[int, ...]
    value: Decimal
    date: datetime
    status: str  # pending (standstill) or active (awarded)
    starts: datetime | None = None
    ends: datetime | None = None


@dataclass(frozen=True)
class ContractEntry:
    id: str
    award_id: str
    title: str
    value: Decimal
    status: str  # pending until countersigned, then active
    signed: datetime | None
    starts: datetime
    ends: datetime


@dataclass(frozen=True)
class BidCounts:
    bids: int
    sme_bids: int
    by_lot_number: Mapping[int, int]


def _money(amount: Decimal) -> dict:
    # OCDS amounts are JSON numbers; pounds and pence are exact in a float at these sizes.
    return {"amount": float(amount), "currency": "GBP"}


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _party(party: Party) -> dict:
    result = {"id": party.id, "name": party.name, "roles": list(party.roles)}
    if party.identifier:
        result["identifier"] = {"scheme": party.identifier[0], "id": party.identifier[1], "legalName": party.name}
    return result


def _criteria_details(lot: TenderLot) -> str:
    quality = "; ".join(f"{c.name} {c.weight}% (scored out of {c.max_score})" for c in lot.criteria)
    return (f"Lot {lot.number}: price {lot.price_weight}% by the {lot.price_formula} formula"
            + (f"; quality: {quality}" if quality else "") + ".")


def _tag(status: str) -> list[str]:
    if status == "draft":
        return ["planning"]
    if status == "cancelled":
        return ["tenderCancellation"]
    if status == "open":
        return ["tender"]
    return ["tenderUpdate"]


def release(framework: FrameworkRelease) -> dict:
    """One release describing the framework as it stands."""
    lots = sorted(framework.lots, key=lambda lot: lot.number)
    tender = {
        "id": framework.reference,
        "title": framework.title,
        "description": framework.description,
        "status": TENDER_STATUS[framework.status],
        "procuringEntity": {"id": framework.procuring_entity.id, "name": framework.procuring_entity.name},
        "value": _money(framework.maximum_value),
        "procurementMethod": "open",
        "procurementMethodDetails": "Open procedure for a framework agreement, bids sealed until the deadline.",
        "mainProcurementCategory": "goods" if all(lot.cpv.startswith("30") for lot in lots) and lots else "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": " ".join(_criteria_details(lot) for lot in lots),
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"endDate": _when(framework.bid_deadline)},
        "enquiryPeriod": {"endDate": _when(framework.question_deadline)},
        "hasEnquiries": True,
        "contractPeriod": {"durationInDays": framework.duration_months * 30},
        "techniques": {
            "hasFrameworkAgreement": True,
            "frameworkAgreement": {
                "method": "withAndWithoutReopeningCompetition",
                "buyerCategories": "London local authorities taking part in the consortium's lots",
                "value": _money(framework.maximum_value),
                "description": f"A framework agreement for up to {framework.duration_months} months.",
            },
        },
        "lots": [
            {
                "id": str(lot.number),
                "title": lot.title,
                "description": lot.description,
                "status": TENDER_STATUS[framework.status],
                "value": _money(lot.budget),
                "techniques": {"hasFrameworkAgreement": True,
                               "frameworkAgreement": {"maximumParticipants": lot.max_awards}},
            }
            for lot in lots
        ],
        "items": [
            {
                "id": f"{lot.number}-1",
                "description": lot.title,
                "classification": {"scheme": "CPV", "id": lot.cpv.split("-")[0], "description": lot.cpv_description},
                "quantity": float(lot.quantity),
                "unit": {"name": lot.unit},
                "relatedLot": str(lot.number),
            }
            for lot in lots
        ],
    }
    if framework.published_at:
        tender["tenderPeriod"]["startDate"] = _when(framework.published_at)
        tender["enquiryPeriod"]["startDate"] = _when(framework.published_at)
    if framework.max_lots_per_supplier:
        tender["lotDetails"] = {"maximumLotsAwardedPerSupplier": framework.max_lots_per_supplier}
    parties = [framework.procuring_entity, *framework.buyers, *framework.suppliers]
    result = {
        "ocid": framework.ocid,
        "id": f"{framework.ocid}-{framework.status}-{int(framework.updated_at.timestamp())}",
        "date": _when(framework.updated_at),
        "tag": _tag(framework.status),
        "initiationType": "tender",
        "language": "en",
        "parties": [_party(p) for p in parties],
        "buyer": {"id": framework.procuring_entity.id, "name": framework.procuring_entity.name},
        "tender": tender,
    }
    if framework.bid_counts is not None:
        result["bids"] = {"statistics": _bid_statistics(framework.bid_counts)}
    if framework.awards:
        names = {p.id: p.name for p in framework.suppliers}
        result["awards"] = [_award(a, names) for a in framework.awards]
        result["tag"] = [*result["tag"], "award"]
    if framework.contracts:
        result["contracts"] = [_contract(c) for c in framework.contracts]
        result["tag"] = [*result["tag"], "contract"]
    return result


def _award(entry: AwardEntry, names: Mapping[str, str]) -> dict:
    award = {"id": entry.id, "status": entry.status, "date": _when(entry.date), "value": _money(entry.value),
             "suppliers": [{"id": entry.supplier_id, "name": names.get(entry.supplier_id, "")}],
             "relatedLots": [str(n) for n in entry.lot_numbers]}
    if entry.starts and entry.ends:
        award["contractPeriod"] = {"startDate": _when(entry.starts), "endDate": _when(entry.ends)}
    return award


def _contract(entry: ContractEntry) -> dict:
    contract = {"id": entry.id, "awardID": entry.award_id, "title": entry.title, "status": entry.status,
                "value": _money(entry.value),
                "period": {"startDate": _when(entry.starts), "endDate": _when(entry.ends)}}
    if entry.signed:
        contract["dateSigned"] = _when(entry.signed)
    return contract


def _bid_statistics(counts: BidCounts) -> list[dict]:
    statistics = [{"id": "bids", "measure": "bids", "value": counts.bids},
                  {"id": "smeBids", "measure": "smeBids", "value": counts.sme_bids}]
    statistics += [{"id": f"bids-lot-{number}", "measure": "bids", "value": count, "relatedLot": str(number)}
                   for number, count in sorted(counts.by_lot_number.items())]
    return statistics


def release_package(framework: FrameworkRelease, uri: str, publisher: str, published: datetime) -> dict:
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": EXTENSIONS,
        "publishedDate": _when(published),
        "publisher": {"name": publisher},
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "publicationPolicy": "Published by the consortium when a framework is published and at each change of state.",
        "releases": [release(framework)],
    }
