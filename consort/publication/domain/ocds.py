"""OCDS 1.1.5 releases of a framework's planning, tender, award and contract stages, from plain data.

The framework is one contracting process (one ocid) with tender.techniques.hasFrameworkAgreement = true. Its
awards are one per winning supplier (the lots it won), published from the board's approval (pending during the
standstill, active once awarded); its contracts are the framework agreements. Each call-off under the framework is a
contracting process of its own (`consort.publication.domain.calloffs`). Nothing sealed is passed in here, so nothing
sealed can come out.

A release is one event: what the framework looked like when it was published, closed, awarded, a contract signed...
It is built once, given an id that is the digest of its content, stored, and never rebuilt.
"""
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

LOTS_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json"
BID_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
TECHNIQUES_EXTENSION = ("https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/"
                        "master/extension.json")
PAGINATION_EXTENSION = ("https://raw.githubusercontent.com/open-contracting-extensions/ocds_pagination_extension/"
                        "master/extension.json")
SCALE_EXTENSION = ("https://raw.githubusercontent.com/open-contracting-extensions/ocds_partyDetails_scale_extension/"
                   "master/extension.json")
EXTENSIONS = [LOTS_EXTENSION, BID_EXTENSION, TECHNIQUES_EXTENSION, SCALE_EXTENSION]
LICENSE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

# OCDS's closed tenderStatus codelist: once the board has approved an award the competition is over ("complete"),
# even while the awards wait out the standstill, so that no release shows an active tender beside an award.
TENDER_STATUS = {
    "draft": "planning", "open": "active", "closed": "active", "evaluation": "active", "recommended": "active",
    "standstill": "complete", "awarded": "complete", "expired": "complete", "cancelled": "cancelled",
}
# The release tags (OCDS's releaseTag codelist) of each event in a framework's life.
EVENT_TAGS = {
    "open": ["tender"], "closed": ["tenderUpdate"], "evaluation": ["tenderUpdate"], "recommended": ["tenderUpdate"],
    "standstill": ["award"], "awarded": ["awardUpdate", "contract"], "expired": ["contractUpdate"],
    "cancelled": ["tenderCancellation"], "contract_signed": ["contractUpdate"],
    "contract_countersigned": ["contractUpdate"],
}


@dataclass(frozen=True)
class Identifier:
    scheme: str  # GB-COH (Companies House), GB-PPON (Central Digital Platform), GB-GSS (ONS area codes)
    id: str


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    roles: tuple[str, ...]
    identifier: Identifier | None = None
    additional_identifiers: tuple[Identifier, ...] = ()
    scale: str | None = None  # "sme" or "large", for suppliers

    def with_roles(self, *roles: str) -> "Party":
        return Party(self.id, self.name, roles, self.identifier, self.additional_identifiers, self.scale)


def organisation_identifiers(*, companies_house_number: str | None = None, ppon: str | None = None,
                             gss_code: str | None = None) -> tuple[Identifier | None, tuple[Identifier, ...]]:
    """An organisation's identifier and additional identifiers: a company by its Companies House number, else by
    its PPON; the PPON beside the company number; an authority's GSS code always an additional identifier."""
    known = [Identifier(scheme, value) for scheme, value in (
        ("GB-COH", companies_house_number), ("GB-PPON", ppon)) if value]
    additional = known[1:] + ([Identifier("GB-GSS", gss_code)] if gss_code else [])
    return (known[0] if known else None), tuple(additional)


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
class BidCounts:
    bids: int
    sme_bids: int
    by_lot_number: Mapping[int, int]


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
    status: str  # pending until countersigned, then active; terminated once the framework expires
    signed: datetime | None
    starts: datetime
    ends: datetime


@dataclass(frozen=True)
class FrameworkRelease:
    ocid: str
    event: str  # a key of EVENT_TAGS
    date: datetime
    reference: str
    title: str
    description: str
    status: str
    maximum_value: Decimal
    bid_deadline: datetime
    question_deadline: datetime
    published_at: datetime | None
    duration_months: int
    max_lots_per_supplier: int | None
    procuring_entity: Party
    buyers: tuple[Party, ...]
    lots: tuple[TenderLot, ...] = field(default_factory=tuple)
    # Counts of the bids received and who tendered: None while the bids are sealed, so not even their number leaves.
    bid_counts: BidCounts | None = None
    tenderers: tuple[Party, ...] | None = None
    suppliers: tuple[Party, ...] = ()
    awards: tuple[AwardEntry, ...] = ()
    contracts: tuple[ContractEntry, ...] = ()


def money(amount: Decimal) -> dict:
    # OCDS amounts are JSON numbers; pounds and pence are exact in a float at these sizes.
    return {"amount": float(amount), "currency": "GBP"}


def when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def party(entry: Party) -> dict:
    result = {"id": entry.id, "name": entry.name, "roles": list(entry.roles)}
    if entry.identifier:
        result["identifier"] = {"scheme": entry.identifier.scheme, "id": entry.identifier.id, "legalName": entry.name}
    if entry.additional_identifiers:
        result["additionalIdentifiers"] = [{"scheme": i.scheme, "id": i.id} for i in entry.additional_identifiers]
    if entry.scale:
        result["details"] = {"scale": entry.scale}
    return result


def reference(entry: Party) -> dict:
    return {"id": entry.id, "name": entry.name}


def _criteria_details(lot: TenderLot) -> str:
    quality = "; ".join(f"{c.name} {c.weight}% (scored out of {c.max_score})" for c in lot.criteria)
    return (f"Lot {lot.number}: price {lot.price_weight}% by the {lot.price_formula} formula"
            + (f"; quality: {quality}" if quality else "") + ".")


def _tender(framework: FrameworkRelease) -> dict:
    lots = sorted(framework.lots, key=lambda lot: lot.number)
    status = TENDER_STATUS[framework.status]
    tender = {
        "id": framework.reference,
        "title": framework.title,
        "description": framework.description,
        "status": status,
        "procuringEntity": reference(framework.procuring_entity),
        "value": money(framework.maximum_value),
        "procurementMethod": "open",
        "procurementMethodDetails": "Open procedure for a framework agreement, bids sealed until the deadline.",
        "mainProcurementCategory": "goods" if lots and all(lot.cpv.startswith("30") for lot in lots) else "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": " ".join(_criteria_details(lot) for lot in lots),
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"endDate": when(framework.bid_deadline)},
        "enquiryPeriod": {"endDate": when(framework.question_deadline)},
        "hasEnquiries": True,
        "contractPeriod": {"durationInDays": framework.duration_months * 30},
        "techniques": {
            "hasFrameworkAgreement": True,
            "frameworkAgreement": {
                "method": "withAndWithoutReopeningCompetition",
                "buyerCategories": "London local authorities taking part in the consortium's lots",
                "value": money(framework.maximum_value),
                "description": f"A framework agreement for up to {framework.duration_months} months.",
            },
        },
        "lots": [
            {
                "id": str(lot.number),
                "title": lot.title,
                "description": lot.description,
                "status": status,
                "value": money(lot.budget),
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
        tender["tenderPeriod"]["startDate"] = when(framework.published_at)
        tender["enquiryPeriod"]["startDate"] = when(framework.published_at)
    if framework.max_lots_per_supplier:
        tender["lotDetails"] = {"maximumLotsAwardedPerSupplier": framework.max_lots_per_supplier}
    if framework.tenderers is not None:
        tender["tenderers"] = [reference(p) for p in framework.tenderers]
        tender["numberOfTenderers"] = len(framework.tenderers)
    return tender


def _parties(framework: FrameworkRelease) -> list[dict]:
    """Each organisation once, with every role it has in the process."""
    merged: dict[str, Party] = {}
    groups = [[framework.procuring_entity], framework.buyers, framework.tenderers or (), framework.suppliers]
    for group in groups:
        for entry in group:
            known = merged.get(entry.id)
            roles = tuple(dict.fromkeys([*(known.roles if known else ()), *entry.roles]))
            merged[entry.id] = entry.with_roles(*roles)
    return [party(p) for p in merged.values()]


def release(framework: FrameworkRelease) -> dict:
    """The release of one event in the framework's life, without its id (see `with_id`)."""
    result = {
        "ocid": framework.ocid,
        "date": when(framework.date),
        "tag": list(EVENT_TAGS[framework.event]),
        "initiationType": "tender",
        "language": "en",
        "parties": _parties(framework),
        "buyer": reference(framework.procuring_entity),
        "tender": _tender(framework),
    }
    if framework.bid_counts is not None:
        result["bids"] = {"statistics": _bid_statistics(framework.bid_counts)}
    if framework.awards:
        names = {p.id: p.name for p in framework.suppliers}
        result["awards"] = [_award(a, names) for a in framework.awards]
    if framework.contracts:
        result["contracts"] = [_contract(c) for c in framework.contracts]
    return with_id(without_empty(result))


def _award(entry: AwardEntry, names: Mapping[str, str]) -> dict:
    award = {"id": entry.id, "status": entry.status, "date": when(entry.date), "value": money(entry.value),
             "suppliers": [{"id": entry.supplier_id, "name": names.get(entry.supplier_id, "")}],
             "relatedLots": [str(n) for n in entry.lot_numbers]}
    if entry.starts and entry.ends:
        award["contractPeriod"] = {"startDate": when(entry.starts), "endDate": when(entry.ends)}
    return award


def _contract(entry: ContractEntry) -> dict:
    contract = {"id": entry.id, "awardID": entry.award_id, "title": entry.title, "status": entry.status,
                "value": money(entry.value),
                "period": {"startDate": when(entry.starts), "endDate": when(entry.ends)}}
    if entry.signed:
        contract["dateSigned"] = when(entry.signed)
    return contract


def _bid_statistics(counts: BidCounts) -> list[dict]:
    statistics = [{"id": "bids", "measure": "bids", "value": counts.bids},
                  {"id": "smeBids", "measure": "smeBids", "value": counts.sme_bids}]
    statistics += [{"id": f"bids-lot-{number}", "measure": "bids", "value": count, "relatedLot": str(number)}
                   for number, count in sorted(counts.by_lot_number.items())]
    return statistics


def without_empty(value):
    """The value with every empty string, array, object and null left out, as OCDS asks ("omit empty fields")."""
    if isinstance(value, dict):
        pruned = {key: without_empty(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in ("", [], {}, None)}
    if isinstance(value, list):
        pruned = [without_empty(item) for item in value]
        return [item for item in pruned if item not in ("", [], {}, None)]
    return value


def canonical(value) -> str:
    """The one JSON text of a value: what is stored, served and digested."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def with_id(release_: dict) -> dict:
    """The release with its id first after the ocid: the ocid and the first 16 hex digits of the SHA-256 of its
    content, so that two different releases never share an id and the same release always has the same one."""
    content = {key: value for key, value in release_.items() if key != "id"}
    digest = hashlib.sha256(canonical(content).encode()).hexdigest()[:16]
    return {"ocid": content["ocid"], "id": f"{content['ocid']}-{digest}",
            **{key: value for key, value in content.items() if key != "ocid"}}


def same_content(earlier: dict, later: dict) -> bool:
    """Whether two releases of a process say the same thing, whatever their ids, dates and tags."""
    ignored = {"id", "date", "tag"}
    return ({k: v for k, v in earlier.items() if k not in ignored}
            == {k: v for k, v in later.items() if k not in ignored})


@dataclass(frozen=True)
class Publisher:
    name: str
    uri: str  # the package's own address
    publication_policy: str  # a URL
    published: datetime


def _package_metadata(publisher: Publisher, extensions: list[str]) -> dict:
    return {
        "uri": publisher.uri,
        "version": "1.1",
        "extensions": list(extensions),
        "publishedDate": when(publisher.published),
        "publisher": {"name": publisher.name},
        "license": LICENSE,
        "publicationPolicy": publisher.publication_policy,
    }


def release_package(releases: list[dict], publisher: Publisher, *, next_page: str | None = None,
                    paginated: bool = False) -> dict:
    """A release package of stored releases; a page of a feed also declares the pagination extension and links."""
    extensions = [*EXTENSIONS, PAGINATION_EXTENSION] if paginated else EXTENSIONS
    package = _package_metadata(publisher, extensions) | {"releases": releases}
    if paginated:
        package["links"] = {"next": next_page} if next_page else {}
    return package


def record_package(records: list[dict], publisher: Publisher) -> dict:
    return _package_metadata(publisher, EXTENSIONS) | {"records": records}
