"""Lots of many scored bids, written straight into the database (bulk inserts, seeded), for the tests of the
ranking at scale and for benchmarks/ranking.py.

A framework in evaluation, past its deadline, with two lots: the ranked lot of `n` bids and a second lot on which a
tenth of the bidders also bid, each of those offering both lots as a bundle too. Three criteria; three evaluators on
the panel, each cleared (a declaration of no conflict), who score every answer except a few that nobody has scored
yet, some more than once (the latest counts); a twentieth of the answers moderated. Prices, scores and submission
times are drawn from small sets, so that totals, qualities and submission times tie; bid ids are random, as in the
app. With `tied_lowest` two bids share the lowest price (no bid can reverse the others' ranks); without it one bid
alone is far cheaper than the rest, and under the relative formula its removal reorders them.
"""
import itertools
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.accounts import services as accounts
from app.accounts.models import User
from app.domain.roles import OrganisationKind, Role
from app.extensions import db
from app.organisations.models import Organisation
from app.types import LARGEST_ID
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Criterion, Framework, Lot
from procurement.evaluation.models import ConflictDeclaration, ModeratedScore, PanelMember, Score
from suppliers.models import Bid, BidLot, BidStatus, BundleLot, BundleOffer
from tests.support import PASSWORD

CRITERIA = [("Delivery plan", 30, 5), ("Social value", 20, 10), ("Support", 10, 4)]
_BUILT = itertools.count(1)  # so that lots built alike in one database still have names of their own


@dataclass(frozen=True)
class BuiltLot:
    framework_id: int
    lot_id: int
    other_lot_id: int
    admin_email: str
    evaluator_emails: list[str]
    bids: int


def _people(tag: str) -> tuple[Organisation, User, list[User]]:
    consortium = Organisation(name=f"Ranking consortium {tag}", kind=OrganisationKind.CONSORTIUM)
    authority = Organisation(name=f"Ranking authority {tag}", kind=OrganisationKind.AUTHORITY)
    db.session.add_all([consortium, authority])
    password_hash = accounts.hash_password(PASSWORD)
    admin = User(email=f"admin-{tag}@ranking.example", password_hash=password_hash, role=Role.ADMIN,
                 organisation=consortium)
    evaluators = [User(email=f"evaluator{i}-{tag}@ranking.example", password_hash=password_hash,
                       role=Role.EVALUATOR, organisation=authority) for i in range(3)]
    db.session.add_all([admin, *evaluators])
    db.session.flush()
    return consortium, admin, evaluators


def _framework(tag: str, now: datetime, formula: str) -> tuple[Framework, Lot, Lot]:
    framework = Framework(reference=f"RANK-{tag}", title=f"Ranking at scale {tag}", maximum_value=Decimal(10**9),
                          status=FrameworkStatus.EVALUATION, bid_deadline=now - timedelta(days=1),
                          question_deadline=now - timedelta(days=3), duration_months=24, max_lots_per_supplier=None,
                          published_at=now - timedelta(days=30), closed_at=now - timedelta(days=1),
                          evaluation_started_at=now - timedelta(hours=20))
    db.session.add(framework)
    db.session.flush()
    lots = [Lot(framework_id=framework.id, number=number, title=f"Lot {number}", budget=Decimal(5_000_000),
                price_weight=40, price_formula=formula) for number in (1, 2)]
    db.session.add_all(lots)
    db.session.flush()
    db.session.add_all(Criterion(lot_id=lot.id, position=position, name=name, weight=weight, max_score=maximum)
                       for lot in lots for position, (name, weight, maximum) in enumerate(CRITERIA, start=1))
    db.session.flush()
    return framework, lots[0], lots[1]


def _insert(model, rows: list[dict]) -> None:
    if rows:
        db.session.execute(db.insert(model), rows)


def build_lot(n: int, seed: int = 1, formula: str = "relative", tied_lowest: bool = False,
              all_scored: bool = False, now: datetime | None = None) -> BuiltLot:
    """A lot of n submitted, scored bids (and the rest described in the module's docstring); with `all_scored`
    every evaluator has scored every answer (so that they may see the ranking). Commits."""
    rng = random.Random(seed * 100_003 + n)
    now = now or datetime.now(UTC)
    tag = f"{seed}-{n}-{formula[:3]}-{'tied' if tied_lowest else 'sole'}-{next(_BUILT)}"
    _, admin, evaluators = _people(tag)
    framework, lot, other = _framework(tag, now, formula)
    lot_criteria, other_criteria = ([c.id for c in x.criteria] for x in (lot, other))
    suppliers = [{"name": f"Ranked supplier {tag} {i:05d}", "kind": OrganisationKind.SUPPLIER, "sme": i % 3 == 0}
                 for i in range(n)]
    _insert(Organisation, suppliers)
    supplier_ids = list(db.session.scalars(db.select(Organisation.id).where(
        Organisation.name.like(f"Ranked supplier {tag} %")).order_by(Organisation.name)))
    bid_ids = rng.sample(range(1, LARGEST_ID), n)
    grid = [Decimal(90_000 + 500 * k) for k in range(max(4, n // 8))]  # few prices: many ties
    prices = [rng.choice(grid) for _ in range(n)]
    lowest = min(grid) / 3
    prices[rng.randrange(n)] = lowest.quantize(Decimal("0.01"))
    if tied_lowest and n > 1:
        prices[rng.choice([i for i, p in enumerate(prices) if p != lowest])] = lowest.quantize(Decimal("0.01"))
    _insert(Bid, [{"id": bid_id, "framework_id": framework.id, "supplier_id": supplier_id,
                   "status": BidStatus.SUBMITTED, "submissions": 1, "receipt_sha256": "0" * 64,
                   "submitted_at": now - timedelta(days=2, minutes=rng.randrange(max(1, n // 4)))}
                  for bid_id, supplier_id in zip(bid_ids, supplier_ids, strict=True)])
    also = set(rng.sample(bid_ids, n // 10))
    _insert(BidLot, [{"bid_id": b, "lot_id": lot.id, "price": p} for b, p in zip(bid_ids, prices, strict=True)] +
            [{"bid_id": b, "lot_id": other.id, "price": rng.choice(grid)} for b in sorted(also)])
    for bid_id in sorted(also):
        db.session.add(BundleOffer(bid_id=bid_id, price=rng.choice(grid) * 2 - 1000,
                                   lots=[BundleLot(lot_id=lot.id), BundleLot(lot_id=other.id)]))
    _panel(admin, evaluators, (lot.id, other.id), now)
    _scores(rng, lot.id, lot_criteria, bid_ids, admin, evaluators, now, all_scored)
    _scores(rng, other.id, other_criteria, sorted(also), admin, evaluators, now, all_scored)
    db.session.commit()
    return BuiltLot(framework.id, lot.id, other.id, admin.email, [e.email for e in evaluators], n)


def _panel(admin: User, evaluators: list[User], lot_ids: tuple[int, ...], now: datetime) -> None:
    for lot_id in lot_ids:
        db.session.add_all(PanelMember(lot_id=lot_id, user_id=e.id, added_by_id=admin.id) for e in evaluators)
        db.session.add_all(ConflictDeclaration(lot_id=lot_id, user_id=e.id, conflict=False, details="",
                                               bidders_named=[], declared_at=now - timedelta(hours=12))
                           for e in evaluators)


def _scores(rng: random.Random, lot_id: int, criteria: list[int], bid_ids: list[int], admin: User,
            evaluators: list[User], now: datetime, all_scored: bool) -> None:
    maxima = dict(zip(criteria, (m for _, _, m in CRITERIA), strict=True))
    # Nobody has scored these bids' first criterion yet.
    unscored = set() if all_scored else set(rng.sample(bid_ids, len(bid_ids) // 50))
    scores, moderated = [], []
    for bid_id in bid_ids:
        for criterion in criteria:
            if bid_id in unscored and criterion == criteria[0]:
                continue
            for evaluator in evaluators:
                for _ in range(2 if rng.random() < 0.05 else 1):  # a rescore: the later one counts
                    scores.append({"lot_id": lot_id, "bid_id": bid_id, "criterion_id": criterion,
                                   "evaluator_id": evaluator.id, "score": Decimal(rng.randint(0, maxima[criterion])),
                                   "rationale": "Scored in bulk.", "scored_at": now - timedelta(hours=6)})
            if rng.random() < 0.05:
                moderated.append({"lot_id": lot_id, "bid_id": bid_id, "criterion_id": criterion,
                                  "moderator_id": admin.id, "score": Decimal(rng.randint(0, maxima[criterion])),
                                  "reason": "Agreed at the panel.", "moderated_at": now - timedelta(hours=2)})
    _insert(Score, scores)
    _insert(ModeratedScore, moderated)
