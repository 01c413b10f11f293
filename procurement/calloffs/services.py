"""Call-offs under an awarded framework, and the levies they create."""
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from blinker import Namespace

from app.accounts.models import User
from app.audit import services as audit
from app.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.domain.roles import Role
from app.extensions import db
from app.types import utcnow
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from procurement.board import services as board
from procurement.calloffs.models import CallOff, Levy

PENNY = Decimal("0.01")

# Sent with the call-off inside the transaction that places it (kwargs: now): the publication records its release
# in that transaction.
placed_signal = Namespace().signal("call-off-placed")


def winners(framework_id: int) -> dict[int, list[int]]:
    """Lot id → its winning suppliers, from the approved award."""
    recommendation = board.latest_for(framework_id)
    if recommendation is None or recommendation.outcome != "approved":
        return {}
    result: dict[int, list[int]] = {}
    for entry in recommendation.award_run.result.get("awards", []):
        result.setdefault(entry["lot_id"], []).append(entry["supplier_id"])
    return result


def called_off(framework_id: int) -> Decimal:
    total = db.session.scalar(db.select(db.func.coalesce(db.func.sum(CallOff.value), 0))
                              .where(CallOff.framework_id == framework_id))
    return Decimal(total).quantize(PENNY)


@dataclass(frozen=True)
class Placed:
    call_off: CallOff
    levy: Levy


def call_off(actor: User, framework_id: int, lot_id: int, supplier_id: int, value: Decimal, description: str,
             now: datetime | None = None) -> Placed:
    """An officer of a participating authority calls off from an awarded lot: a direct award to its supplier.
    Refused (409) if it would take the framework past its maximum value. One transaction; commits."""
    now = now or utcnow()
    framework = frameworks.get(framework_id, for_update=True)  # call-offs against one maximum queue up here
    lot, suppliers = participating_lot(actor, framework, lot_id)
    if supplier_id not in suppliers:
        message = "That supplier does not hold this lot; call off from the lot's winning supplier."
        raise ValidationFailed(message, {"supplier_id": message})
    if len(suppliers) > 1:
        raise Conflict("This lot has several suppliers: under the framework's rules the order goes to a "
                       "mini-competition among them, not a direct award.")
    placed = place(actor, framework, lot.id, supplier_id, value, description, now)
    db.session.commit()
    return placed


def participating_lot(actor: User, framework, lot_id: int):
    """The awarded lot an officer's authority takes part in, with its winning suppliers; refusals say why."""
    if actor.role != Role.OFFICER:
        raise Forbidden("Only officers of the authorities taking part call off from a framework.")
    if framework.status != FrameworkStatus.AWARDED:
        raise Conflict(f"Call-offs are made from an awarded framework; this one is {framework.status.value}.")
    lot = next((lot for lot in framework.lots if lot.id == lot_id), None)
    if lot is None:
        raise ValidationFailed("That lot is not part of this framework.", {"lot_id": "Choose one of its lots."})
    authorities = {a.organisation_id for a in frameworks.demand(lot).authorities}
    if actor.organisation_id not in authorities:
        raise Forbidden("Your authority did not take part in this lot, so it cannot call off from it.")
    return lot, winners(framework.id).get(lot.id, [])


def place(actor: User, framework, lot_id: int, supplier_id: int, value: Decimal, description: str,
          now: datetime) -> Placed:
    """Write a call-off and its levy into the caller's transaction, within the framework's maximum value (the
    framework row is locked by the caller)."""
    value = value.quantize(PENNY)
    if value <= 0:
        raise ValidationFailed("The value must be more than nothing.", {"value": "Enter a value above £0.00."})
    headroom = framework.maximum_value - called_off(framework.id)
    if value > headroom:
        raise Conflict(f"This call-off would take the framework past its maximum value of "
                       f"£{framework.maximum_value:,.2f}: £{max(headroom, Decimal(0)):,.2f} remains.")
    placed = CallOff(framework_id=framework.id, lot_id=lot_id, organisation_id=actor.organisation_id,
                     supplier_id=supplier_id, value=value, description=description.strip(), created_by_id=actor.id,
                     created_at=now)
    db.session.add(placed)
    db.session.flush()
    levy = Levy(call_off_id=placed.id, supplier_id=supplier_id, framework_id=framework.id, created_at=now,
                amount=(value * framework.levy_percent / 100).quantize(PENNY, rounding=ROUND_HALF_UP))
    db.session.add(levy)
    audit.record("call_off.made", placed, actor=actor,
                 after={"lot_id": lot_id, "supplier_id": supplier_id, "value": value, "levy": levy.amount})
    placed_signal.send(placed, now=now)
    return Placed(placed, levy)


def call_offs_for(actor: User, framework_id: int) -> list[CallOff]:
    """The framework's call-offs: an admin's all, an officer's its authority's, a supplier's its own."""
    query = db.select(CallOff).where(CallOff.framework_id == framework_id).order_by(CallOff.id.desc())
    if actor.role == Role.OFFICER:
        query = query.where(CallOff.organisation_id == actor.organisation_id)
    elif actor.role == Role.SUPPLIER:
        query = query.where(CallOff.supplier_id == actor.organisation_id)
    elif actor.role != Role.ADMIN:
        raise Forbidden("Only admins, officers and suppliers see call-offs.")
    return list(db.session.scalars(query))


def placed_for(actor: User, call_off_id: int) -> Placed:
    """A call-off and its levy, for the officers of the authority that placed it and the consortium's admins."""
    row = db.session.execute(db.select(CallOff, Levy).join(Levy, Levy.call_off_id == CallOff.id)
                             .where(CallOff.id == call_off_id)).first()
    allowed = row is not None and (actor.role == Role.ADMIN or (
        actor.role == Role.OFFICER and row[0].organisation_id == actor.organisation_id))
    if not allowed:
        raise NotFound("There is no call-off with that id.")
    return Placed(*row)


def levies_query(actor: User):
    """Levies one may see: an admin all of them, a supplier its own."""
    query = db.select(Levy).order_by(Levy.id.desc())
    if actor.role == Role.SUPPLIER:
        return query.where(Levy.supplier_id == actor.organisation_id)
    if actor.role != Role.ADMIN:
        raise Forbidden("Only the consortium's admins and suppliers see levies.")
    return query


def levy_for(actor: User, levy_id: int, *, for_update: bool = False) -> Levy:
    query = db.select(Levy).where(Levy.id == levy_id)
    levy = db.session.scalars(query.with_for_update() if for_update else query).first()
    if levy is None or (actor.role == Role.SUPPLIER and levy.supplier_id != actor.organisation_id):
        raise NotFound("There is no levy with that id.")
    if actor.role not in (Role.SUPPLIER, Role.ADMIN):
        raise Forbidden("Only the consortium's admins and the supplier that owes it see a levy.")
    return levy


@dataclass(frozen=True)
class LevyTotal:
    framework_id: int
    month: str  # YYYY-MM
    due: Decimal
    paid: Decimal


def totals() -> list[LevyTotal]:
    """Levies due and paid, by framework and month of the call-off (for admins), summed in the database: one row a
    framework and month, however many levies there are."""
    year, month = db.extract("year", Levy.created_at), db.extract("month", Levy.created_at)  # UTC, as stored
    paid = Levy.status == "paid"
    rows = db.session.execute(
        db.select(Levy.framework_id, year, month,
                  db.func.coalesce(db.func.sum(Levy.amount).filter(db.not_(paid)), 0),
                  db.func.coalesce(db.func.sum(Levy.amount).filter(paid), 0))
        .group_by(Levy.framework_id, year, month).order_by(Levy.framework_id, year, month))
    return [LevyTotal(framework_id, f"{int(y):04d}-{int(m):02d}", Decimal(due), Decimal(paid_amount))
            for framework_id, y, m, due, paid_amount in rows]


def levies_for(actor: User) -> list[Levy]:
    """Every levy `actor` may see, as `levies_query` orders them."""
    return list(db.session.scalars(levies_query(actor)))
