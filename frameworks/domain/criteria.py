"""Award criteria: quality criteria with weights and a price weight that together make 100."""
from collections.abc import Sequence
from dataclasses import dataclass

PRICE_FORMULAS = ("relative", "linear", "absolute")
MAX_SCORE_LIMIT = 100


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    weight: int
    max_score: int


def weight_problems(price_weight: int, criteria: Sequence[CriterionSpec]) -> dict[str, str]:
    """Every problem with a lot's weights, by field; empty when the lot's criteria are sound."""
    problems: dict[str, str] = {}
    if not 0 <= price_weight <= 100:
        problems["price_weight"] = "The price weight must be between 0 and 100."
    names = [c.name.strip().lower() for c in criteria]
    for i, criterion in enumerate(criteria):
        if not criterion.name.strip():
            problems[f"criteria.{i}.name"] = "Give the criterion a name."
        if not 1 <= criterion.weight <= 100:
            problems[f"criteria.{i}.weight"] = "Each criterion's weight must be between 1 and 100."
        if not 1 <= criterion.max_score <= MAX_SCORE_LIMIT:
            problems[f"criteria.{i}.max_score"] = f"The maximum score must be between 1 and {MAX_SCORE_LIMIT}."
    if len(set(names)) != len(names):
        problems["criteria"] = "Each criterion needs a different name."
    total = price_weight + sum(c.weight for c in criteria)
    if total != 100:
        problems.setdefault(
            "weights", f"The price weight and the criteria weights must add up to 100; they add up to {total}.")
    if not criteria and price_weight != 100:
        problems.setdefault("criteria", "Add at least one quality criterion, or give price the whole weight of 100.")
    return problems
