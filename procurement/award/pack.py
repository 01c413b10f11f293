"""The recommendation pack: what the board reads before it votes — the portfolio award, the ranking of each lot,
the rules that bound, the savings against the authorities' own estimates, and greedy beside the optimum."""
from dataclasses import dataclass
from decimal import Decimal

from app import pdf
from app.accounts.models import User
from app.domain.errors import Forbidden, NotFound
from app.domain.roles import Role
from app.extensions import db
from app.organisations.models import Organisation
from frameworks import services as frameworks
from frameworks.models import Framework, Lot
from procurement.award.models import AwardRun
from procurement.award.services import beside_greedy, lot_outcomes
from procurement.domain import savings
from procurement.evaluation import services as evaluation


@dataclass(frozen=True)
class LotAward:
    lot: Lot
    winners: list[dict]  # award entries with the supplier's name
    ranking: evaluation.Ranking


@dataclass(frozen=True)
class Pack:
    framework: Framework
    run: AwardRun
    lots: list[LotAward]
    names: dict[int, str]
    savings: list[savings.AuthoritySavings]
    authority_names: dict[int, str]
    baseline: Decimal
    awarded: Decimal
    binding: list[str]

    @property
    def total_savings(self) -> Decimal:
        return self.baseline - self.awarded

    @property
    def beside_greedy(self) -> str:
        return beside_greedy(self.run.result)


def build(actor: User, run_id: int) -> Pack:
    """The pack of an award run, for the consortium's admins and its board."""
    if actor.role not in (Role.ADMIN, Role.BOARD):
        raise Forbidden("Only the consortium's admins and board members read a recommendation pack.")
    run = db.session.get(AwardRun, run_id)
    if run is None or run.status != "done":
        raise NotFound("There is no completed award run with that id.")
    framework = frameworks.get(run.framework_id)
    # The rankings are read as the admin who ran the award: board members read them in the pack, not on the
    # evaluation pages (which are for the panel and the admins).
    reader = db.session.get(User, run.created_by_id) if actor.role != Role.ADMIN else actor
    awards = run.result.get("awards", [])
    names = evaluation.supplier_names({a["supplier_id"] for a in awards} | {
        a["supplier_id"] for a in run.result.get("greedy", {}).get("awards", [])})
    lots = []
    for lot in framework.lots:
        winners = [a | {"name": names.get(a["supplier_id"], "")} for a in awards if a["lot_id"] == lot.id]
        ranking = evaluation.ranking(reader, lot.id)
        names.update(evaluation.supplier_names({r.supplier_id for r in ranking.rows} - set(names)))
        lots.append(LotAward(lot, winners, ranking))
    outcomes = lot_outcomes(framework, awards)
    rows = savings.by_authority(outcomes)
    authority_names = dict(db.session.execute(db.select(Organisation.id, Organisation.name).where(
        Organisation.id.in_([r.organisation_id for r in rows]))).all())
    binding = [line for line in run.result.get("explanation", []) if line.startswith("Binding")]
    return Pack(framework, run, lots, names, rows, authority_names, sum((r.baseline for r in rows), Decimal(0)),
                sum((r.awarded for r in rows), Decimal(0)), binding)


def pack_pdf(actor: User, run_id: int) -> bytes:
    result = build(actor, run_id)
    return pdf.render("award/pdf/recommendation.html", created=result.run.created_at, pack=result,
                      explanation=result.run.result.get("explanation", []))

