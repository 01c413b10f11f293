"""Award runs: build the award problem from a framework's evaluated bids, solve it beside the greedy baseline,
explain it, and keep the run (inputs, result, time) on the record."""
import time
from dataclasses import dataclass
from decimal import Decimal

from blinker import Namespace
from flask import current_app

from app.accounts.models import User
from app.audit import services as audit
from app.domain.errors import Conflict, Forbidden, NotFound
from app.domain.roles import Role
from app.extensions import db
from app.organisations.models import Organisation
from app.types import LARGEST_ID
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework
from procurement.award.models import AwardRun
from procurement.domain import savings, scoring
from procurement.domain.award import explain as explaining
from procurement.domain.award.greedy import greedy
from procurement.domain.award.model import ZERO, Lot, Offer, Problem, Rules, value, violations
from procurement.domain.award.solver import solve
from procurement.evaluation import services as evaluation
from suppliers.models import Bid, BidStatus, BundleOffer

BUNDLE_ID_OFFSET = LARGEST_ID + 1  # bundle offers get ids of their own, above every bid id (bids take random ids)


@dataclass(frozen=True)
class Options:
    exclude_supplier_ids: frozenset[int] = frozenset()
    max_lots_per_supplier: int | None = None  # None: the framework's own limit
    time_limit: float = 30.0

    def as_json(self) -> dict:
        return {"exclude_supplier_ids": sorted(self.exclude_supplier_ids),
                "max_lots_per_supplier": self.max_lots_per_supplier, "time_limit": self.time_limit}


def build_problem(actor: User, framework: Framework, options: Options) -> tuple[Problem, dict[int, str], dict]:
    """The award problem of a framework: its lots, every tendered offer with its MEAT totals, and the rules."""
    lots, offers, names = [], [], {}
    budgets: dict[int, Decimal] = {}
    rankings = {lot.id: evaluation.ranking(actor, lot.id) for lot in framework.lots}
    sme = {}
    for lot in framework.lots:
        demand = frameworks.demand(lot)
        # Each authority's budget is its share of the lots' budgets: over the framework it may spend more on one
        # lot and less on another, but not more in all.
        for authority in demand.authorities:
            budgets[authority.organisation_id] = budgets.get(authority.organisation_id, ZERO) + \
                lot.budget * authority.share
        lots.append(Lot(lot.id, lot.number, lot.max_awards, lot.quality_threshold,
                        {a.organisation_id: a.share for a in demand.authorities}))
    supplier_ids = {r.supplier_id for ranking in rankings.values() for r in ranking.rows}
    names = evaluation.supplier_names(supplier_ids)
    if supplier_ids:
        sme = dict(db.session.execute(db.select(Organisation.id, Organisation.sme)
                                      .where(Organisation.id.in_(supplier_ids))).all())
    rows_by_bid: dict[tuple[int, int], scoring.Scored] = {}
    for lot_id, ranking in rankings.items():
        for row in ranking.rows:
            rows_by_bid[(row.bid_id, lot_id)] = row
            if row.supplier_id not in options.exclude_supplier_ids:
                offers.append(Offer(row.bid_id, row.supplier_id, sme.get(row.supplier_id, False), row.price,
                                    (lot_id,), {lot_id: row.total}, {lot_id: row.quality}))
    by_lot = {lot.id: lot for lot in framework.lots}
    # Each lot's lowest single price, once: a bundle's share of a lot is scored beside them.
    lowest = {lot_id: min((r.price for r in ranking.rows), default=None) for lot_id, ranking in rankings.items()}
    from sqlalchemy.orm import selectinload

    for bundle in db.session.scalars(
            db.select(BundleOffer).join(Bid, Bid.id == BundleOffer.bid_id)
            .where(Bid.framework_id == framework.id, Bid.status == BidStatus.SUBMITTED)
            .options(selectinload(BundleOffer.lots), selectinload(BundleOffer.bid))):
        supplier_id = bundle.bid.supplier_id
        lot_ids = tuple(sorted(x.lot_id for x in bundle.lots))
        if supplier_id in options.exclude_supplier_ids or any((bundle.bid_id, n) not in rows_by_bid for n in lot_ids):
            continue
        meat, quality = {}, {}
        for lot_id in lot_ids:
            lot = by_lot[lot_id]
            part = bundle.price / len(lot_ids)
            price_score = scoring.price_points_beside(lot.price_formula, lowest[lot_id], part, lot.budget,
                                                      Decimal(lot.price_weight))
            quality[lot_id] = rows_by_bid[(bundle.bid_id, lot_id)].quality
            meat[lot_id] = quality[lot_id] + price_score
        offers.append(Offer(BUNDLE_ID_OFFSET + bundle.id, supplier_id, sme.get(supplier_id, False), bundle.price,
                            lot_ids, meat, quality))
    limit = options.max_lots_per_supplier or framework.max_lots_per_supplier
    rules = Rules(limit, framework.min_sme_share, budgets)
    return Problem(lots, offers, rules), names, {"bundle_bids": {}}


# Sent with a run's id once a run too large to solve while a person waits is committed: the task consumer takes it.
queued = Namespace().signal("award-run-queued")


def run(actor: User, framework_id: int, options: Options = Options()) -> AwardRun:
    """Run the award for a framework in evaluation and keep the run. Commits.

    A large problem (more offers than AWARD_ASYNC_OFFERS) is queued for the task consumer: the run is returned
    with status "running" and completes off the request path; a small one is solved at once.
    """
    if actor.role != Role.ADMIN:
        raise Forbidden("Only the consortium's admins run the award.")
    framework = frameworks.get(framework_id)
    if framework.current_status() != FrameworkStatus.EVALUATION:
        raise Conflict(f"The award runs on a framework in evaluation; this one is {framework.current_status().value}.")
    problem, names, _ = build_problem(actor, framework, options)
    record = AwardRun(framework_id=framework.id, created_by_id=actor.id, status="running", options=options.as_json(),
                      inputs=_problem_json(problem), result={"solver": {"offers": len(problem.offers),
                                                                        "lots": len(problem.lots)}})
    db.session.add(record)
    audit.record("award_run.started", record, actor=actor,
                 after={"framework_id": framework.id, "options": options.as_json()})
    if len(problem.offers) > current_app.config.get("AWARD_ASYNC_OFFERS", 400):
        db.session.commit()
        queued.send(record.id)
        db.session.refresh(record)
        return record
    _solve_into(record, problem, names, options)
    audit.record("award_run.completed", record, actor=actor,
                 after={"optimal": record.optimal, "total_value": record.result["total_value"]})
    db.session.commit()
    return record


def complete(run_id: int) -> AwardRun:
    """Finish a queued run (in the task consumer). Commits; a failure is recorded on the run, not lost."""
    record = db.session.get(AwardRun, run_id)
    if record is None or record.status != "running":
        return record
    actor = db.session.get(User, record.created_by_id)
    options = Options(frozenset(record.options.get("exclude_supplier_ids", [])),
                      record.options.get("max_lots_per_supplier"), float(record.options.get("time_limit", 30)))
    try:
        problem, names, _ = build_problem(actor, frameworks.get(record.framework_id), options)
        _solve_into(record, problem, names, options)
    except Exception as error:  # the run must end, and say why, whatever went wrong
        db.session.rollback()
        record = db.session.get(AwardRun, run_id)
        record.status = "failed"
        record.result = record.result | {"error": str(error)[:500]}
    audit.record(f"award_run.{'completed' if record.status == 'done' else 'failed'}", record, actor=actor,
                 after={"optimal": record.optimal, "total_value": record.result.get("total_value")})
    db.session.commit()
    return record


def _solve_into(record: AwardRun, problem: Problem, names: dict[int, str], options: Options) -> None:
    started = time.perf_counter()
    baseline = greedy(problem)
    result = solve(problem, time_limit=options.time_limit, warm_start=baseline)
    explanation = explaining.explain(problem, result, time_limit=min(options.time_limit, 10.0))
    numbers = {lot.id: lot.number for lot in problem.lots}
    record.status, record.optimal = "done", result.optimal
    record.seconds = round(time.perf_counter() - started, 3)
    record.result = {
        "awards": [_award_json(o, lot_id) for o in result.chosen for lot_id in o.lot_ids],
        "total_value": _money(result.value), "bound": _money(result.bound), "gap": result.gap,
        "total_price": _money(sum((o.price for o in result.chosen), ZERO)),
        "greedy": {"total_value": _money(sum((value(o) for o in baseline), ZERO)),
                   "total_price": _money(sum((o.price for o in baseline), ZERO)),
                   "awards": [_award_json(o, o.lot_ids[0]) for o in baseline],
                   "breaks": violations(problem, baseline)},
        "unfilled_lot_ids": result.unfilled,
        "explanation": [lot.as_text(names) for lot in explanation.lots] + explaining.binding_text(explanation.binding),
        "binding": {rule: _money(gain) for rule, gain in explanation.binding.items()},
        "solver": {"status": result.status, "seconds": round(result.seconds, 3), "offers": len(problem.offers),
                   "lots": len(problem.lots), "lot_numbers": {str(k): v for k, v in numbers.items()}},
    }


def beside_greedy(result: dict) -> str:
    """The optimum against greedy's award, in words: only a valid greedy award is compared, never "-7 better"."""
    greedy_result = result.get("greedy", {})
    gain = Decimal(result["total_value"]) - Decimal(greedy_result["total_value"])
    breaks = greedy_result.get("breaks")
    if breaks is None and gain < 0:  # a run stored before its greedy award's rules were: greedy looks at no SME rule
        breaks = ["the SME share is below the framework's minimum"]
    if breaks:
        rules = "; ".join(f"the SME rule: {b}" if "SME share" in b else b for b in breaks)
        return (f"but greedy's award breaks a rule of the framework ({rules}), so it could not be awarded "
                f"and is no award to compare with; the optimum keeps every rule")
    if gain > 0:
        return f"the optimum is {gain:.2f} points better"
    if gain == 0:
        return "the optimum is no better: greedy's award is as good"
    return (f"greedy's award is {-gain:.2f} points better: the optimiser stopped at its time limit "
            f"before it reached it")


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _award_json(offer: Offer, lot_id: int) -> dict:
    bundle = offer.id >= BUNDLE_ID_OFFSET
    return {"lot_id": lot_id, "bid_id": _bid_of(offer) if bundle else offer.id, "supplier_id": offer.supplier_id,
            "price": _money(offer.price / len(offer.lot_ids)), "bundle": bundle,
            "bundle_price": _money(offer.price) if bundle else None}


def _bid_of(offer: Offer) -> int:
    bundle = db.session.get(BundleOffer, offer.id - BUNDLE_ID_OFFSET)
    return bundle.bid_id


def _problem_json(problem: Problem) -> dict:
    return {"lots": [{"id": lot.id, "number": lot.number, "max_awards": lot.max_awards,
                      "quality_threshold": str(lot.quality_threshold),
                      "budget_shares": {str(k): str(v) for k, v in lot.budget_shares.items()}} for lot in problem.lots],
            "offers": [{"id": o.id, "supplier_id": o.supplier_id, "sme": o.sme, "price": str(o.price),
                        "lot_ids": list(o.lot_ids), "meat": {str(k): str(v) for k, v in o.meat.items()},
                        "quality": {str(k): str(v) for k, v in o.quality.items()}} for o in problem.offers],
            "rules": {"max_lots_per_supplier": problem.rules.max_lots_per_supplier,
                      "min_sme_share": str(problem.rules.min_sme_share),
                      "budgets": {str(k): str(v) for k, v in problem.rules.budgets.items()}}}


def get(actor: User, run_id: int) -> AwardRun:
    """A stored run, for the consortium's admins and its board."""
    if actor.role not in (Role.ADMIN, Role.BOARD):
        raise Forbidden("Only the consortium's admins and its board see award runs.")
    record = db.session.get(AwardRun, run_id)
    if record is None:
        raise NotFound("There is no award run with that id.")
    return record


def runs_of(framework_id: int) -> list[AwardRun]:
    return list(db.session.scalars(db.select(AwardRun).where(AwardRun.framework_id == framework_id)
                                   .order_by(AwardRun.id.desc())))


def as_json(record: AwardRun) -> dict:
    result = record.result
    return {"id": record.id, "framework_id": record.framework_id, "status": record.status,
            "optimal": record.optimal, "awards": result.get("awards", []),
            "total_value": result.get("total_value"), "total_price": result.get("total_price"),
            "bound": result.get("bound"), "gap": result.get("gap"),
            "greedy": {k: result.get("greedy", {}).get(k) for k in ("total_value", "total_price")},
            "unfilled_lot_ids": result.get("unfilled_lot_ids", []),
            "explanation": result.get("explanation", []), "binding": result.get("binding", {}),
            "options": record.options, "seconds": record.seconds, "created_at": record.created_at.isoformat()}


def lot_outcomes(framework: Framework, awards: list[dict]) -> list[savings.LotOutcome]:
    """Per lot: its dearest awarded price (None if not awarded), and each authority's estimate and share."""
    prices = savings.dearest_prices([(a["lot_id"], Decimal(a["price"])) for a in awards])
    outcomes = []
    for lot in framework.lots:
        demand = frameworks.demand(lot)
        outcomes.append(savings.LotOutcome(lot.id, prices.get(lot.id),
                                           {a.organisation_id: a.estimated_value for a in demand.authorities},
                                           {a.organisation_id: a.share for a in demand.authorities}))
    return outcomes
