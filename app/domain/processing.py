"""The record of processing (UK GDPR Art. 30) as data: what Consort does with personal data, about whom, on what
lawful basis, who receives it and how long it is kept.

It is declarative code, not a table: it changes only when what the software does changes, so it is reviewed and
versioned with that code; the retention rules of erasure (`Retention`) read the very same records, and the privacy
notice is rendered from them, so the notice, the admins' record and what erasure keeps can never disagree. A table
seeded by a migration would be one more thing to keep in step with the code (and a test's emptied database would
lose it).
"""
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class RetentionRule(StrEnum):
    UNTIL_ERASED = "until_erased"  # kept while the account is in use; erased at once on request
    AFTER_FRAMEWORK = "after_framework"  # kept for the framework's term plus `years` (limitation, audit, challenge)
    AFTER_EVENT = "after_event"  # kept for `years` after the record was made


@dataclass(frozen=True)
class Retention:
    rule: RetentionRule
    years: int = 0

    def describe(self) -> str:
        if self.rule == RetentionRule.UNTIL_ERASED:
            return "While the account is in use; erased at once when its holder asks."
        if self.rule == RetentionRule.AFTER_FRAMEWORK:
            return f"The framework's term plus {self.years} years, then anonymised."
        return f"{self.years} years after it is recorded, then anonymised."

    def until(self, start: date) -> date:
        """The last day of the period that began on `start` (the framework's end, or the record's date)."""
        try:
            return start.replace(year=start.year + self.years)
        except ValueError:  # 29 February
            return start.replace(year=start.year + self.years, day=28)


@dataclass(frozen=True)
class Purpose:
    key: str
    name: str
    description: str
    people: tuple[str, ...]
    data: tuple[str, ...]
    lawful_basis: str
    recipients: tuple[str, ...]
    retention: Retention


PUBLIC_TASK = "Public task (UK GDPR Art. 6(1)(e); DPA 2018 s8): the authorities' procurement functions"
CONTRACT = "Contract (UK GDPR Art. 6(1)(b)) for suppliers' staff acting for their company; public task for officers"
LEGAL_OBLIGATION = "Legal obligation (UK GDPR Art. 6(1)(c)): the Procurement Act 2023's notices and records"

PURPOSES: tuple[Purpose, ...] = (
    Purpose(
        "accounts", "Accounts and signing in",
        "Giving people accounts, signing them in, keeping their sessions and API tokens safe.",
        ("officers", "evaluators", "board members", "admins", "suppliers' contacts"),
        ("name", "e-mail address", "role and organisation", "sign-in times", "browser and network address of "
         "each session", "API tokens (only their hashes)"),
        PUBLIC_TASK, ("the consortium's admins",), Retention(RetentionRule.UNTIL_ERASED)),
    Purpose(
        "evaluation", "Evaluating bids",
        "Panels of evaluators declare conflicts of interest and score each answer with a rationale; admins "
        "moderate.",
        ("evaluators", "admins"),
        ("conflict declarations", "scores and their rationales", "moderation reasons"),
        PUBLIC_TASK, ("the consortium's admins", "the other evaluators of the lot", "auditors and the courts on "
                      "a challenge"), Retention(RetentionRule.AFTER_FRAMEWORK, 6)),
    Purpose(
        "board", "Board decisions",
        "Board members declare conflicts and vote on award recommendations; the minutes record the votes.",
        ("board members",), ("conflict declarations", "votes and comments"),
        PUBLIC_TASK, ("the consortium's admins and board", "auditors and the courts on a challenge"),
        Retention(RetentionRule.AFTER_FRAMEWORK, 6)),
    Purpose(
        "contracts", "Bids and contracts",
        "Suppliers' bids and declarations, and the framework agreements and call-offs signed by named people.",
        ("suppliers' contacts and signatories", "the consortium's countersignatories"),
        ("names and positions of signatories", "signature times", "bid declarations"),
        CONTRACT, ("the contract's parties", "the consortium's admins", "auditors and the courts"),
        Retention(RetentionRule.AFTER_FRAMEWORK, 6)),
    Purpose(
        "levies", "Levies and membership",
        "Collecting the suppliers' management charges and the authorities' membership fees through Stripe.",
        ("suppliers' contacts", "officers"), ("who paid, when, and how much (no card details: Stripe holds them)",),
        CONTRACT, ("Stripe Payments Europe (processor)", "the consortium's admins"),
        Retention(RetentionRule.AFTER_EVENT, 6)),
    Purpose(
        "savings", "Spend and savings reporting",
        "Adding up each authority's spend, its estimates and the savings made, and sharing the savings out.",
        ("officers",), ("which officer stated each requirement",),
        PUBLIC_TASK, ("the consortium", "the other authorities in the same framework, under the data-sharing "
                      "agreement"), Retention(RetentionRule.AFTER_FRAMEWORK, 6)),
    Purpose(
        "publication", "Publication (open contracting data)",
        "Publishing tender notices, awards and contracts as OCDS open data, as the Procurement Act 2023 requires.",
        ("suppliers (as organisations)",),
        ("no personal data: organisations only, never the names or e-mail addresses of people",),
        LEGAL_OBLIGATION, ("the public",), Retention(RetentionRule.AFTER_EVENT, 6)),
)

BY_KEY = {purpose.key: purpose for purpose in PURPOSES}


def with_retention_years(overrides: dict[str, int]) -> tuple[Purpose, ...]:
    """The record with some purposes' retention periods set by configuration (`RETENTION_YEARS`)."""
    purposes = []
    for purpose in PURPOSES:
        years = overrides.get(purpose.key)
        if years is not None and purpose.retention.rule != RetentionRule.UNTIL_ERASED:
            purpose = Purpose(**{**purpose.__dict__, "retention": Retention(purpose.retention.rule, years)})
        purposes.append(purpose)
    return tuple(purposes)


CSV_HEADER = ("purpose", "name", "description", "people", "personal data", "lawful basis", "recipients", "retention")


def as_rows(purposes: tuple[Purpose, ...]) -> list[tuple[str, ...]]:
    return [(p.key, p.name, p.description, "; ".join(p.people), "; ".join(p.data), p.lawful_basis,
             "; ".join(p.recipients), p.retention.describe()) for p in purposes]
