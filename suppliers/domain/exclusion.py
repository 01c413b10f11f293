"""The exclusion grounds a supplier declares against, and what its declaration means for a bid.

The grounds follow the Procurement Act 2023: mandatory grounds (Schedule 6) exclude a supplier unless the
circumstances are unlikely to occur again, which the supplier must show (self-cleaning); discretionary
grounds (Schedule 7) are for the evaluators to weigh. A declaration is made once for the organisation and
reused for every bid until the supplier changes it; each bid keeps the declaration it was submitted with.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class GroundKind(StrEnum):
    MANDATORY = "mandatory"
    DISCRETIONARY = "discretionary"


@dataclass(frozen=True)
class Ground:
    code: str
    kind: GroundKind
    text: str


GROUNDS: tuple[Ground, ...] = (
    Ground("corruption", GroundKind.MANDATORY,
           "The supplier, or a person connected with it, has been convicted of bribery or corruption."),
    Ground("fraud", GroundKind.MANDATORY,
           "... has been convicted of fraud, theft or another offence of dishonesty against public funds."),
    Ground("organised-crime", GroundKind.MANDATORY,
           "... has been convicted of taking part in organised crime or money laundering."),
    Ground("terrorism", GroundKind.MANDATORY,
           "... has been convicted of a terrorism offence or of financing terrorism."),
    Ground("modern-slavery", GroundKind.MANDATORY,
           "... has been convicted of a modern slavery or human trafficking offence."),
    Ground("tax", GroundKind.MANDATORY,
           "... has been convicted of a tax offence, or found to have evaded tax or duties."),
    Ground("cartel", GroundKind.MANDATORY,
           "... has taken part in a cartel (bid rigging, price fixing, market sharing)."),
    Ground("national-security", GroundKind.MANDATORY,
           "... is a threat to national security, as decided by a Minister."),
    Ground("insolvency", GroundKind.DISCRETIONARY,
           "The supplier is insolvent, in administration or winding up, or has ceased trading."),
    Ground("poor-performance", GroundKind.DISCRETIONARY,
           "The supplier has breached a public contract badly enough that it was ended or damages were paid."),
    Ground("professional-misconduct", GroundKind.DISCRETIONARY,
           "The supplier, or a person connected with it, has committed serious professional misconduct."),
    Ground("labour-environment", GroundKind.DISCRETIONARY,
           "The supplier has breached labour, environmental or social law."),
    Ground("competition", GroundKind.DISCRETIONARY,
           "The supplier has infringed competition law (other than through a cartel)."),
    Ground("improper-procurement", GroundKind.DISCRETIONARY,
           "The supplier has tried to influence a procurement improperly or misled an authority in one."),
    Ground("conflict", GroundKind.DISCRETIONARY,
           "The supplier has a conflict of interest with the consortium or an authority it cannot resolve."),
)
BY_CODE: Mapping[str, Ground] = {g.code: g for g in GROUNDS}


@dataclass(frozen=True)
class Declaration:
    answers: Mapping[str, bool]  # ground code → "this applies to us"
    details: str = ""
    self_cleaning: str = ""


def problems(declaration: Declaration) -> dict[str, str]:
    """What stops a declaration from being made. Empty when it is complete."""
    found: dict[str, str] = {}
    for code in declaration.answers:
        if code not in BY_CODE:
            found[f"answers.{code}"] = f"“{code}” is not an exclusion ground."
    for ground in GROUNDS:
        if ground.code not in declaration.answers:
            found[f"answers.{ground.code}"] = "Say whether this ground applies to your organisation."
    if any(declaration.answers.get(g.code) for g in GROUNDS) and not declaration.details.strip():
        found["details"] = "You said a ground applies: explain the circumstances, with dates."
    if mandatory_applying(declaration) and not declaration.self_cleaning.strip():
        found["self_cleaning"] = ("A mandatory ground applies: describe the steps taken so that it will not happen "
                                  "again (self-cleaning), or you cannot bid.")
    return found


def mandatory_applying(declaration: Declaration) -> list[Ground]:
    return [g for g in GROUNDS if g.kind == GroundKind.MANDATORY and declaration.answers.get(g.code)]


def discretionary_applying(declaration: Declaration) -> list[Ground]:
    return [g for g in GROUNDS if g.kind == GroundKind.DISCRETIONARY and declaration.answers.get(g.code)]


def summary(declaration: Declaration | None) -> str:
    """One line an evaluator reads beside a bid."""
    if declaration is None:
        return "No declaration against the exclusion grounds."
    mandatory, discretionary = mandatory_applying(declaration), discretionary_applying(declaration)
    if not mandatory and not discretionary:
        return "Declared that no exclusion ground applies."
    parts = []
    if mandatory:
        parts.append(f"mandatory ground{'s' if len(mandatory) > 1 else ''} "
                     f"{', '.join(g.code for g in mandatory)} (with self-cleaning evidence)")
    if discretionary:
        parts.append(f"discretionary ground{'s' if len(discretionary) > 1 else ''} "
                     f"{', '.join(g.code for g in discretionary)}")
    return "Declared " + " and ".join(parts) + "."
