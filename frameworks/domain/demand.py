"""Pooling: a lot's demand is the sum of the requirements pooled into it, with each authority's share."""
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class RequirementLine:
    requirement_id: int
    organisation_id: int
    category: str
    unit: str
    quantity: Decimal
    estimated_unit_price: Decimal
    needed_by: date

    @property
    def estimated_value(self) -> Decimal:
        return self.quantity * self.estimated_unit_price


@dataclass(frozen=True)
class AuthorityDemand:
    organisation_id: int
    quantity: Decimal
    estimated_value: Decimal
    # This authority's fraction of the lot's quantity, which is how it shares the price. The shares add up
    # to 1 within Decimal's 28 significant digits (a third is 0.333...), far below a penny of any price.
    share: Decimal


@dataclass(frozen=True)
class LotDemand:
    quantity: Decimal
    estimated_value: Decimal
    authorities: tuple[AuthorityDemand, ...]


def aggregate(lines: Iterable[RequirementLine]) -> LotDemand:
    """Total quantity and estimated value, and each authority's part of them."""
    quantity: dict[int, Decimal] = defaultdict(lambda: ZERO)
    value: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        quantity[line.organisation_id] += line.quantity
        value[line.organisation_id] += line.estimated_value
    total_quantity = sum(quantity.values(), ZERO)
    total_value = sum(value.values(), ZERO)
    authorities = tuple(
        AuthorityDemand(org, quantity[org], value[org], quantity[org] / total_quantity if total_quantity else ZERO)
        for org in sorted(quantity)
    )
    return LotDemand(total_quantity, total_value, authorities)


def pooling_problems(lines: list[RequirementLine]) -> list[str]:
    """Why these requirements cannot be pooled into one lot: they must buy the same thing in the same unit."""
    problems = []
    if len({line.category for line in lines}) > 1:
        problems.append("All requirements in a lot must be of the same category.")
    if len({line.unit for line in lines}) > 1:
        problems.append("All requirements in a lot must be counted in the same unit.")
    return problems


NEEDED_BY_WINDOW = timedelta(days=180)


def fits(candidate: RequirementLine, lot_lines: list[RequirementLine]) -> bool:
    """Whether an open requirement would pool well with a lot's: same category and unit, and needed
    within six months of the lot's earliest date."""
    if not lot_lines:
        return True
    first = lot_lines[0]
    if candidate.category != first.category or candidate.unit != first.unit:
        return False
    earliest = min(line.needed_by for line in lot_lines)
    return abs(candidate.needed_by - earliest) <= NEEDED_BY_WINDOW
