"""`flask seed-scale`: data at G-Cloud's scale (by default 5,000 suppliers and 50,000 submitted bids over 25
frameworks), so that anyone can reproduce the benchmarks.

The frameworks, their lots and their moves through the lifecycle go through the real services (a few hundred
transactions); the suppliers and their bids, which are most of the rows, are bulk inserts, with the audit events the
services would have written appended in bulk (into each framework's sealed log, carried into the public log, in bulk by
`audit.record_many`, when the framework closes after the load: the same chains and Merkle tree), and
each bid's receipt computed as `bids.submit` computes it. Lots are of uneven size, as a real framework's are: within a
framework the k-th lot draws bids in proportion to 1/k, so at the default size lots have from ~140 to ~1,000 bids:
some ~540 and ~230, as in the issue's table.
"""
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, text

from app.accounts import services as accounts
from app.audit import sealed
from app.extensions import db
from app.organisations.models import OrganisationDomain
from app.types import LARGEST_ID, london_today, utcnow
from consort.demo import people
from consort.demo import scale_suppliers as suppliers
from consort.demo.frameworks import QUALITY, officer
from consort.demo.people import CONSORTIUM_DOMAIN, DEMO_PASSWORD
from consort.demo.sharing import ensure_agreement
from consort.demo.suppliers import ANSWERS
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework
from frameworks.requirements import services as requirements
from suppliers import bids as bid_services
from suppliers.domain import bidding
from suppliers.models import Bid, BidAnswer, BidLot, BidStatus, BundleLot, BundleOffer

LOTS_PER_FRAMEWORK = 8
# (category, unit, unit price, quantity per authority) of each lot, in turn
LOT_SHAPES = (("cloud_hosting", "vCPU-month", "22", 2400), ("support_services", "day", "950", 120),
              ("devices", "device", "420", 900), ("networks", "site", "5200", 60),
              ("telephony", "line-month", "9", 21600), ("managed_print", "device", "2100", 90))
BATCH = 2000


class AlreadySeeded(Exception):
    pass


@dataclass
class ScaleFramework:
    framework: Framework
    lots: list  # of (lot id, budget, criterion ids)
    opened: datetime
    deadline: datetime
    target: FrameworkStatus


def seed(suppliers_count: int, bids_count: int, frameworks_count: int = 25, password: str = DEMO_PASSWORD,
         rng_seed: int = 2027) -> dict[str, int]:
    """Create the scale data on top of the demo's people; returns what was made. Refuses to run twice."""
    if bids_count > suppliers_count * frameworks_count:
        raise ValueError("A supplier bids at most once in each framework: ask for fewer bids or more suppliers.")
    people.seed()
    if suppliers.already_seeded():
        raise AlreadySeeded("This database already holds the scale data.")
    rng = random.Random(rng_seed)  # noqa: S311 - the same shapes each run, so benchmarks compare; not a secret
    admin = accounts.find_by_email(f"admin@{CONSORTIUM_DOMAIN}")
    ensure_agreement(admin)  # the authorities' officers accept it as they pool their requirements
    domains = list(db.session.scalars(db.select(OrganisationDomain.domain).order_by(OrganisationDomain.domain)))
    made = [_framework(admin, index, domains) for index in range(frameworks_count)]
    roster = suppliers.seed(suppliers_count, password)
    rows = _bids(rng, made, roster, bids_count)
    db.session.commit()
    frameworks.close_due()
    for scale in made:
        if scale.target == FrameworkStatus.EVALUATION:
            frameworks.transition(admin, scale.framework.id, FrameworkStatus.EVALUATION)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))  # the planner's statistics, stale after a bulk load until autovacuum
        db.session.commit()
    return {"suppliers": suppliers_count, "frameworks": frameworks_count, "lots": sum(len(s.lots) for s in made),
            **rows}


def _target(index: int) -> FrameworkStatus:
    """Three in five in evaluation, one closed, one still open (its bids sealed)."""
    return (FrameworkStatus.EVALUATION, FrameworkStatus.EVALUATION, FrameworkStatus.EVALUATION,
            FrameworkStatus.CLOSED, FrameworkStatus.OPEN)[index % 5]


def _framework(admin, index: int, domains: list[str]) -> ScaleFramework:
    """A framework of LOTS_PER_FRAMEWORK lots, each pooling two authorities' requirements, published; one past its
    deadline is created as if 45 days ago."""
    target = _target(index)
    opened = utcnow() - (timedelta() if target == FrameworkStatus.OPEN else timedelta(days=45))
    deadline = opened + timedelta(days=30, hours=index)
    framework = frameworks.create(admin, {
        "title": f"G-Cloud scale {index + 1:02d}", "description": "Cloud hosting, software and support, at scale.",
        "maximum_value": Decimal("500000000"), "bid_deadline": deadline,
        "question_deadline": deadline - timedelta(days=10), "duration_months": 36, "max_lots_per_supplier": 2,
        "min_sme_share": Decimal("0.25"), "standstill_working_days": 8, "levy_percent": Decimal("1.00")}, now=opened)
    lots = []
    for number in range(LOTS_PER_FRAMEWORK):
        category, unit, unit_price, quantity = LOT_SHAPES[(index + number) % len(LOT_SHAPES)]
        pooled = [domains[(index * LOTS_PER_FRAMEWORK + number * 2 + k) % len(domains)] for k in range(2)]
        ids = [requirements.create(officer(domain), {
            "title": f"{category.replace('_', ' ').capitalize()} for {domain.split('.')[0].capitalize()}",
            "description": "", "category": category, "quantity": Decimal(quantity), "unit": unit,
            "estimated_unit_price": Decimal(unit_price), "needed_by": london_today() + timedelta(days=120)},
            london_today()).id for domain in pooled]
        budget = Decimal(quantity * 2) * Decimal(unit_price)
        lot = frameworks.add_lot(admin, framework.id, frameworks.LotInput(
            title=f"Lot {number + 1}: {category.replace('_', ' ')}", description="", requirement_ids=ids,
            max_awards=3, budget=budget, price_weight=40, price_formula=("relative", "linear")[number % 2],
            criteria=[frameworks.CriterionInput(n, w, m, "Answer in at most 500 words.") for n, w, m in QUALITY]))
        lots.append((lot.id, budget, [c.id for c in lot.criteria]))
    frameworks.transition(admin, framework.id, FrameworkStatus.OPEN, now=opened)
    return ScaleFramework(framework, lots, opened, deadline, target)


def _shares(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _bids(rng: random.Random, made: list[ScaleFramework], roster, bids_count: int) -> dict[str, int]:
    """Every framework's share of the bids, from distinct suppliers, each on one or two lots; inserted in bulk with
    their bid.submitted events. Not committed."""
    taken = set(db.session.scalars(db.select(Bid.id)))
    # Random ids as `random_ids` draws them, so that an id says nothing of how many came before.
    ids = iter(i for i in secrets.SystemRandom().sample(range(1, LARGEST_ID + 1), bids_count + len(taken))
               if i not in taken)
    bids, offers, bundles = [], [], []
    for scale, count in zip(made, _shares(bids_count, len(made)), strict=True):
        weights = [1 / k for k in range(1, len(scale.lots) + 1)]
        window = (scale.deadline - scale.opened).total_seconds() - 86400
        for supplier in rng.sample(roster, count):
            chosen = _lots_of(rng, scale.lots, weights)
            lot_offers = [bidding.LotOffer(lot_id, (budget * Decimal(rng.uniform(0.55, 0.98))).quantize(
                Decimal("0.01")), {c: ANSWERS[(lot_id + c + supplier.organisation_id) % len(ANSWERS)]
                                   for c in criteria}) for lot_id, budget, criteria in chosen]
            together = []
            if len(lot_offers) == 2 and rng.random() < 0.25:
                price = (sum(o.price for o in lot_offers) * Decimal("0.94")).quantize(Decimal("0.01"))
                together = [bidding.Bundle(tuple(o.lot_id for o in lot_offers), price)]
            bid_id = next(ids)
            submitted = scale.opened + timedelta(seconds=rng.uniform(3600, window))
            content = bidding.BidContent(scale.framework.id, supplier.organisation_id, lot_offers, together)
            bids.append({"id": bid_id, "framework_id": scale.framework.id, "supplier_id": supplier.organisation_id,
                         "created_by_id": supplier.user_id, "status": BidStatus.SUBMITTED,
                         "created_at": submitted - timedelta(hours=1), "updated_at": submitted,
                         "submitted_at": submitted, "receipt_written_at": submitted,
                         "receipt_sha256": bidding.receipt(content, submitted).sha256, "submissions": 1,
                         "declaration_id": supplier.declaration_id})
            offers += [(bid_id, offer) for offer in lot_offers]
            bundles += [(bid_id, bundle) for bundle in together]
    _receipts_in_the_log(bids)
    for start in range(0, len(bids), BATCH):
        db.session.execute(insert(Bid), bids[start:start + BATCH])
    answers = _insert_offers(offers)
    _insert_bundles(bundles)
    return {"bids": len(bids), "bid_lots": len(offers), "answers": answers, "bundles": len(bundles)}


def _lots_of(rng: random.Random, lots: list, weights: list[float]) -> list:
    """One lot, or (half the time) two different ones, drawn by the lots' weights."""
    first = rng.choices(range(len(lots)), weights)[0]
    if len(lots) < 2 or rng.random() < 0.5:
        return [lots[first]]
    second = rng.choices([i for i in range(len(lots)) if i != first],
                         [w for i, w in enumerate(weights) if i != first])[0]
    return sorted([lots[first], lots[second]])


def _receipts_in_the_log(bids: list[dict]) -> None:
    """Each bid's bid.submitted event, as `bids.submit` writes it while the framework takes bids: into its framework's
    sealed log, from which the closing (`frameworks.close_due`, after the load) carries it into the public log and
    gives the bid's receipt its leaf there."""
    by_framework: dict[int, list[dict]] = {}
    for bid in bids:
        by_framework.setdefault(bid["framework_id"], []).append(bid)
    for framework_id, own in sorted(by_framework.items()):
        sealed.append_many(bid_services.seal_name(framework_id), utcnow(), [
            {"action": "bid.submitted", "object_type": "Bid", "object_id": bid["id"], "actor_id": bid["created_by_id"],
             "after": {"sha256": bid["receipt_sha256"], "submitted_at": bid["submitted_at"].isoformat(),
                       "written_at": bid["receipt_written_at"].isoformat()}} for bid in own])


def _insert_offers(offers: list) -> int:
    """The bids' lots, then their answers (which need the lots' new ids); returns how many answers."""
    answers = 0
    for start in range(0, len(offers), BATCH):
        chunk = offers[start:start + BATCH]
        lot_ids = db.session.execute(
            insert(BidLot).returning(BidLot.id, sort_by_parameter_order=True),
            [{"bid_id": bid_id, "lot_id": offer.lot_id, "price": offer.price} for bid_id, offer in chunk]).scalars()
        rows = [{"bid_lot_id": bid_lot_id, "criterion_id": criterion, "text": text}
                for bid_lot_id, (_, offer) in zip(lot_ids, chunk, strict=True)
                for criterion, text in sorted(offer.answers.items())]
        db.session.execute(insert(BidAnswer), rows)
        answers += len(rows)
    return answers


def _insert_bundles(bundles: list) -> None:
    for start in range(0, len(bundles), BATCH):
        chunk = bundles[start:start + BATCH]
        bundle_ids = db.session.execute(
            insert(BundleOffer).returning(BundleOffer.id, sort_by_parameter_order=True),
            [{"bid_id": bid_id, "price": bundle.price} for bid_id, bundle in chunk]).scalars()
        db.session.execute(insert(BundleLot), [{"bundle_id": bundle_id, "lot_id": lot_id}
                                               for bundle_id, (_, bundle) in zip(bundle_ids, chunk, strict=True)
                                               for lot_id in sorted(set(bundle.lot_ids))])
