"""Contracts: on award, a framework agreement for each winning supplier and a call-off contract for each
participating authority and lot; rendered to PDF, kept immutably by version, signed and countersigned."""
import logging
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from blinker import Namespace
from dateutil.relativedelta import relativedelta

from app import pdf
from app.accounts.models import User
from app.audit import services as audit
from app.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.domain.roles import Role
from app.extensions import db
from app.organisations.models import Organisation, OrganisationKind
from app.types import utcnow
from frameworks import services as frameworks
from frameworks import signals as framework_signals
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework
from procurement.board import services as board
from procurement.contracts.models import Contract, ContractVersion
from procurement.domain.savings import dearest_prices

log = logging.getLogger("consort.contracts")
KINDS = {"framework_agreement": "Framework agreement", "call_off": "Call-off contract"}

# Sent with the contract inside the transaction that signs or countersigns it (kwargs: event, "signed" or
# "countersigned"; now): the publication records the change in that transaction.
signature_added = Namespace().signal("contract-signature-added")


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _consortium(actor: User | None) -> Organisation:
    if actor is not None and actor.organisation.kind == OrganisationKind.CONSORTIUM:
        return actor.organisation
    return db.session.scalars(db.select(Organisation).where(Organisation.kind == OrganisationKind.CONSORTIUM)
                              .order_by(Organisation.id).limit(1)).one()


@framework_signals.moved.connect
def _issue_on_award(framework: Framework, target: FrameworkStatus, actor: User | None, now: datetime, **_) -> None:
    """A framework reaching `awarded` issues its contracts, in the transaction that awards it."""
    if target == FrameworkStatus.AWARDED:
        issue(actor, framework, now)


def issue(actor: User | None, framework: Framework, now: datetime) -> list[Contract]:
    """Create the framework's contracts from the approved award, in the caller's transaction, to be rendered."""
    recommendation = board.latest_for(framework.id)
    if recommendation is None or recommendation.outcome != "approved":
        raise Conflict("There is no approved award to make contracts from.")
    awards = recommendation.award_run.result.get("awards", [])
    consortium = _consortium(actor)
    lots = {lot.id: lot for lot in framework.lots}
    organisations = {o.id: o for o in db.session.scalars(db.select(Organisation))}
    demand = {lot.id: frameworks.demand(lot) for lot in framework.lots}
    by_supplier: dict[int, list[dict]] = defaultdict(list)
    winners_of: dict[int, list[int]] = defaultdict(list)
    for entry in awards:
        by_supplier[entry["supplier_id"]].append(entry)
        winners_of[entry["lot_id"]].append(entry["supplier_id"])
    dearest = dearest_prices([(a["lot_id"], Decimal(a["price"])) for a in awards])
    starts = now.date()
    term = {"starts": starts.isoformat(), "ends": (starts + relativedelta(months=framework.duration_months,
                                                                          days=-1)).isoformat(),
            "months": framework.duration_months}
    common = {"framework": {"reference": framework.reference, "title": framework.title,
                            "levy_percent": _money(framework.levy_percent),
                            "maximum_value": _money(framework.maximum_value)},
              "consortium": consortium.name, "term": term, "issued": now.strftime("%Y-%m-%dT%H:%M:%SZ")}

    def authorities(lot_id: int) -> list[dict]:
        return [{"name": organisations[a.organisation_id].name, "gss_code": organisations[a.organisation_id].gss_code,
                 "share": str(a.share)} for a in demand[lot_id].authorities]

    contracts = []
    for number, (supplier_id, entries) in enumerate(sorted(by_supplier.items()), start=1):
        lines = [{"lot_id": e["lot_id"], "number": lots[e["lot_id"]].number, "title": lots[e["lot_id"]].title,
                  "price": e["price"], "bundle_price": e["bundle_price"]}
                 for e in sorted(entries, key=lambda e: lots[e["lot_id"]].number)]
        value = sum((Decimal(e["price"]) for e in entries), Decimal(0))
        callers = {a["name"]: a for line in lines for a in authorities(line["lot_id"])}
        contracts.append(Contract(
            framework_id=framework.id, reference=f"{framework.reference}/FA/{number:03d}", kind="framework_agreement",
            supplier_id=supplier_id, supplier_ids=[supplier_id], organisation_id=consortium.id,
            lot_ids=[line["lot_id"] for line in lines], value=value, status="rendering", created_at=now,
            terms=common | {"supplier": organisations[supplier_id].name, "buyer": consortium.name,
                            "companies_house_number": organisations[supplier_id].companies_house_number,
                            "lots": lines, "value": _money(value),
                            "authorities": [callers[name] for name in sorted(callers)]}))
    for lot_id in sorted(winners_of, key=lambda x: lots[x].number):
        lot, suppliers = lots[lot_id], sorted(set(winners_of[lot_id]))
        for share in demand[lot_id].authorities:
            authority = organisations[share.organisation_id]
            value = (dearest[lot_id] * share.share).quantize(Decimal("0.01"))
            code = authority.gss_code or f"ORG{authority.id}"
            prices = {e["supplier_id"]: e["price"] for e in awards if e["lot_id"] == lot_id}
            contracts.append(Contract(
                framework_id=framework.id, reference=f"{framework.reference}/CO/{lot.number:02d}/{code}",
                kind="call_off", supplier_id=suppliers[0] if len(suppliers) == 1 else None, supplier_ids=suppliers,
                organisation_id=authority.id, lot_ids=[lot_id], value=value, status="rendering", created_at=now,
                terms=common | {"buyer": authority.name, "gss_code": authority.gss_code,
                                "supplier": organisations[suppliers[0]].name if len(suppliers) == 1 else None,
                                "panel": [{"name": organisations[s].name, "price": prices[s]} for s in suppliers],
                                "lot": {"number": lot.number, "title": lot.title, "description": lot.description},
                                "quantity": str(share.quantity), "share": str(share.share),
                                "estimated_value": _money(share.estimated_value), "value": _money(value)}))
    db.session.add_all(contracts)
    db.session.flush()
    audit.record("contracts.issued", framework, actor=actor,
                 after={"framework_agreements": len(by_supplier), "call_offs": len(contracts) - len(by_supplier)})
    return contracts


def render_pending(framework_id: int, batch: int = 10) -> int:
    """Render every contract still waiting for its first document. Commits every few, so progress shows.

    The documents of a batch are rendered before anything is written, so that the audit log's lock (taken by the
    first audit event of a transaction) is held for the writes only, not for seconds of rendering. A document
    that fails to render is logged and left for the next run; the others go on."""
    done, failed = 0, set()
    while True:
        query = db.select(Contract).where(Contract.framework_id == framework_id, Contract.status == "rendering")
        if failed:
            query = query.where(Contract.id.not_in(failed))
        contracts = list(db.session.scalars(query.order_by(Contract.id).limit(batch)
                                            .with_for_update(skip_locked=True)))
        if not contracts:
            return done
        rendered = []
        for contract in contracts:
            try:
                rendered.append((contract, document(contract)))
            except Exception:  # one bad document must not stop the others; it stays "rendering" and is retried
                log.exception("Contract %s could not be rendered", contract.id)
                failed.add(contract.id)
        for contract, data in rendered:
            _add_version(contract, "issued", contract.created_at, data)
            contract.status = "issued"
        db.session.commit()
        done += len(rendered)


def progress(framework_id: int) -> tuple[int, int]:
    """(contracts rendered, contracts in all)."""
    rows = db.session.execute(db.select(Contract.status, db.func.count(Contract.id))
                              .where(Contract.framework_id == framework_id).group_by(Contract.status)).all()
    total = sum(count for _, count in rows)
    return total - sum(count for status, count in rows if status == "rendering"), total


def document(contract: Contract) -> bytes:
    """The contract's document as of now: its terms and the signatures it has."""
    signatures = []
    if contract.signed_at:
        signatures.append({"party": contract.terms.get("supplier") or "", "name": contract.signed_name,
                           "position": contract.signed_position, "at": contract.signed_at, "ip": contract.signed_ip})
    if contract.countersigned_at:
        signatures.append({"party": contract.terms["consortium"], "name": contract.countersigned_name,
                           "position": "For the consortium", "at": contract.countersigned_at,
                           "ip": contract.countersigned_ip})
    created = contract.countersigned_at or contract.signed_at or contract.created_at
    template = f"contracts/pdf/{'framework_agreement' if contract.kind == 'framework_agreement' else 'call_off'}.html"
    return pdf.render(template, created=created, contract=contract, terms=contract.terms, signatures=signatures,
                      kind=KINDS[contract.kind])


def _add_version(contract: Contract, reason: str, at: datetime, data: bytes | None = None) -> ContractVersion:
    data = document(contract) if data is None else data
    version = ContractVersion(contract_id=contract.id, number=len(contract.versions) + 1, reason=reason, pdf=data,
                              sha256=pdf.sha256(data), created_at=at)
    contract.versions.append(version)
    audit.record(f"contract.{reason}", contract, actor=None,
                 after={"version": version.number, "sha256": version.sha256})
    return version


def may_see(actor: User, contract: Contract) -> bool:
    if actor.role == Role.ADMIN:
        return True
    if actor.role == Role.SUPPLIER:
        return actor.organisation_id in (contract.supplier_ids or [])
    if actor.role == Role.OFFICER:
        return contract.kind == "call_off" and actor.organisation_id == contract.organisation_id
    return False


def get_for(actor: User, contract_id: int, *, for_update: bool = False) -> Contract:
    """A contract for one of its parties or an admin; anyone else is told there is no such contract."""
    if actor.role not in (Role.ADMIN, Role.SUPPLIER, Role.OFFICER):
        raise Forbidden("Only a contract's parties and the consortium's admins see contracts.")
    query = db.select(Contract).where(Contract.id == contract_id)
    contract = db.session.scalars(query.with_for_update() if for_update else query).first()
    if contract is None or not may_see(actor, contract):
        raise NotFound("There is no contract with that id.")
    return contract


def list_for(actor: User, framework_id: int) -> list[Contract]:
    """The framework's contracts that this person may see (all of them for an admin)."""
    if actor.role not in (Role.ADMIN, Role.SUPPLIER, Role.OFFICER):
        raise Forbidden("Only a contract's parties and the consortium's admins see contracts.")
    framework = frameworks.get(framework_id)
    if framework.awarded_at is None:
        raise Conflict(f"Contracts are made when the framework is awarded; it is {framework.status.value}.")
    query = db.select(Contract).where(Contract.framework_id == framework_id).order_by(Contract.id)
    return [c for c in db.session.scalars(query) if may_see(actor, c)]


def current(contract: Contract) -> ContractVersion | None:
    return contract.versions[-1] if contract.versions else None


def pdf_of(actor: User, contract_id: int, version: int | None = None) -> ContractVersion:
    contract = get_for(actor, contract_id)
    if not contract.versions:
        raise Conflict("The contract's document is still being prepared; try again in a moment.")
    if version is None:
        return contract.versions[-1]
    found = next((v for v in contract.versions if v.number == version), None)
    if found is None:
        raise NotFound("The contract has no such version.")
    return found


def _clean(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        message = f"Give the {label} of the person signing."
        raise ValidationFailed(message, {field: message})
    if len(value) > 200:
        message = f"The {label} is too long (200 characters at most)."
        raise ValidationFailed(message, {field: message})
    return value


def sign(actor: User, contract_id: int, name: str, position: str, ip: str | None,
         now: datetime | None = None) -> Contract:
    """The supplier signs: a new version with its signature on the signature page. Commits."""
    name, position = _clean(name, "name", "name"), _clean(position, "position", "position")
    contract = get_for(actor, contract_id, for_update=True)
    if actor.role != Role.SUPPLIER:
        raise Forbidden("The supplier signs first; the consortium countersigns after.")
    if contract.supplier_id is None:
        raise Conflict("This call-off names a panel of suppliers: the supplier is chosen by a mini-competition "
                       "when the authority calls off, and signs then.")
    if contract.status != "issued":
        raise Conflict("This contract is already signed." if contract.status in ("signed", "countersigned")
                       else "The contract's document is still being prepared; sign it when it is ready.")
    now = now or utcnow()
    contract.signed_by_id, contract.signed_name, contract.signed_position = actor.id, name, position
    contract.signed_at, contract.signed_ip, contract.status = now, ip, "signed"
    version = _add_version(contract, "signed", now)
    audit.record("contract.signature", contract, actor=actor,
                 after={"signed_by_id": actor.id, "at": now, "sha256": version.sha256})  # the person by id only
    signature_added.send(contract, event="signed", now=now)
    db.session.commit()
    return contract


def countersign(actor: User, contract_id: int, ip: str | None, now: datetime | None = None) -> Contract:
    """The consortium countersigns a signed contract: a new version with both signatures. Commits."""
    if actor.role != Role.ADMIN:
        raise Forbidden("Only the consortium's admins countersign contracts.")
    contract = get_for(actor, contract_id, for_update=True)
    if contract.status != "signed":
        raise Conflict("The supplier signs first." if contract.status in ("issued", "rendering")
                       else "This contract is already countersigned.")
    now = now or utcnow()
    contract.countersigned_by_id, contract.countersigned_name = actor.id, actor.name or actor.email
    contract.countersigned_at, contract.countersigned_ip, contract.status = now, ip, "countersigned"
    version = _add_version(contract, "countersigned", now)
    audit.record("contract.countersignature", contract, actor=actor,
                 after={"countersigned_by_id": actor.id, "at": now, "sha256": version.sha256})
    signature_added.send(contract, event="countersigned", now=now)
    db.session.commit()
    return contract


def party_names(items: list[Contract]) -> dict[int, str]:
    """Organisation names of the contracts' parties, by id, in one query."""
    ids = {c.organisation_id for c in items} | {s for c in items for s in (c.supplier_ids or [])}
    return dict(db.session.execute(db.select(Organisation.id, Organisation.name)
                                   .where(Organisation.id.in_(ids))).all())


def agreements_of(framework_id: int) -> list[Contract]:
    """The framework agreements of a framework, for the open data (no parties' check: only public facts leave)."""
    return list(db.session.scalars(db.select(Contract).where(Contract.framework_id == framework_id,
                                                             Contract.kind == "framework_agreement")))
