"""The rules of a sealed bid: what makes it complete, its canonical content and its receipt.

A bid prices each lot it covers for the lot's whole pooled demand and answers every quality criterion of
that lot; a bundle offers one price for two or more of the bid's lots, valid only if it wins all of them.
"""
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

DEFAULT_WORD_LIMIT = 500


@dataclass(frozen=True)
class LotRules:
    lot_id: int
    number: int
    criteria: Mapping[int, int]  # criterion id → word limit


@dataclass(frozen=True)
class LotOffer:
    lot_id: int
    price: Decimal
    answers: Mapping[int, str] = field(default_factory=dict)  # criterion id → answer


@dataclass(frozen=True)
class Bundle:
    lot_ids: tuple[int, ...]
    price: Decimal


@dataclass(frozen=True)
class Attachment:
    filename: str
    sha256: str


@dataclass(frozen=True)
class BidContent:
    framework_id: int
    supplier_id: int
    lots: Sequence[LotOffer]
    bundles: Sequence[Bundle] = ()
    documents: Sequence[Attachment] = ()


@dataclass(frozen=True)
class FrameworkRules:
    """The framework's rules that a submission must keep."""

    max_lots_per_supplier: int | None = None


@dataclass(frozen=True)
class Receipt:
    submitted_at: datetime
    sha256: str


def words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def draft_problems(content: BidContent, lots: Mapping[int, LotRules]) -> dict[str, str]:
    """What is wrong with a draft at all: unknown lots or criteria, prices, bundles. Empty when it can be saved."""
    problems: dict[str, str] = {}
    seen: set[int] = set()
    for i, offer in enumerate(content.lots):
        where = f"lots.{i}"
        if offer.lot_id not in lots:
            problems[f"{where}.lot_id"] = f"Lot {offer.lot_id} is not a lot of this framework."
            continue
        if offer.lot_id in seen:
            problems[f"{where}.lot_id"] = f"Lot {lots[offer.lot_id].number} is priced twice; price each lot once."
        seen.add(offer.lot_id)
        if offer.price <= 0:
            problems[f"{where}.price"] = "A price must be more than £0."
        for criterion_id, answer in offer.answers.items():
            limit = lots[offer.lot_id].criteria.get(criterion_id)
            if limit is None:
                problems[f"{where}.answers.{criterion_id}"] = (
                    f"Criterion {criterion_id} is not a criterion of lot {lots[offer.lot_id].number}.")
            elif words(answer) > limit:
                problems[f"{where}.answers.{criterion_id}"] = (
                    f"This answer has {words(answer)} words; the limit is {limit}.")
    for i, bundle in enumerate(content.bundles):
        where = f"bundles.{i}"
        if len(set(bundle.lot_ids)) < 2 or len(set(bundle.lot_ids)) != len(bundle.lot_ids):
            problems[f"{where}.lot_ids"] = "A bundle is two or more different lots."
        elif not set(bundle.lot_ids) <= seen:
            problems[f"{where}.lot_ids"] = "A bundle can only combine lots that the bid also prices on their own."
        if bundle.price <= 0:
            problems[f"{where}.price"] = "A bundle's price must be more than £0."
    keys = [tuple(sorted(set(b.lot_ids))) for b in content.bundles]
    if len(set(keys)) != len(keys):
        problems["bundles"] = "Each set of lots can be bundled only once."
    return problems


def submission_problems(content: BidContent, lots: Mapping[int, LotRules],
                        rules: FrameworkRules = FrameworkRules()) -> dict[str, str]:
    """What stops a bid from being submitted: the draft's problems, every criterion answered, the lot limit.

    A supplier may bid for more lots than it may win (the award keeps the limit), but a bundle wins all of its
    lots or none, so a bundle larger than the lot limit could never win: it is refused here, where it can
    still be fixed.
    """
    problems = draft_problems(content, lots)
    if not content.lots:
        problems["lots"] = "Price at least one lot before submitting."
    limit = rules.max_lots_per_supplier
    for i, bundle in enumerate(content.bundles):
        if limit is not None and len(set(bundle.lot_ids)) > limit:
            lots_text = f"{limit} lot{'' if limit == 1 else 's'}"
            problems.setdefault(f"bundles.{i}.lot_ids", (
                f"This bundle has {len(set(bundle.lot_ids))} lots, but a supplier may win at most {lots_text} "
                f"of this framework, so it could never win. Bundle at most {lots_text}."))
    for i, offer in enumerate(content.lots):
        rules = lots.get(offer.lot_id)
        if rules is None:
            continue
        for criterion_id in rules.criteria:
            if not offer.answers.get(criterion_id, "").strip():
                problems.setdefault(f"lots.{i}.answers.{criterion_id}",
                                    f"Answer every quality question of lot {rules.number} before submitting.")
    return problems


def canonical(content: BidContent) -> bytes:
    """The bid's content in one fixed form: the same bid always gives the same bytes."""
    document = {
        "framework_id": content.framework_id,
        "supplier_id": content.supplier_id,
        "lots": [
            {"lot_id": o.lot_id, "price": f"{o.price:.2f}",
             "answers": {str(k): o.answers[k] for k in sorted(o.answers)}}
            for o in sorted(content.lots, key=lambda o: o.lot_id)
        ],
        "bundles": sorted(
            ({"lot_ids": sorted(set(b.lot_ids)), "price": f"{b.price:.2f}"} for b in content.bundles),
            key=lambda b: (b["lot_ids"], b["price"])),
        "documents": sorted(({"filename": d.filename, "sha256": d.sha256} for d in content.documents),
                            key=lambda d: (d["sha256"], d["filename"])),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def receipt(content: BidContent, submitted_at: datetime) -> Receipt:
    """The receipt of a submission: the server's time and the SHA-256 of the canonical content."""
    return Receipt(submitted_at, hashlib.sha256(canonical(content)).hexdigest())


def deadline_problem(now: datetime, bid_deadline: datetime, is_open: bool) -> str | None:
    """Why no bid can change now, or None while it still can."""
    if now >= bid_deadline:
        return "The bid deadline has passed; nothing in a bid can change now."
    if not is_open:
        return "Bids can only be changed while the framework is open."
    return None
