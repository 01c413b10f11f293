"""The savings of an awarded framework against the authorities' own estimates, and their sharing: in proportion
to demand and by the Shapley value (procurement/domain/sharing.py)."""
from decimal import Decimal

from app.accounts.models import User
from app.domain.errors import Conflict, Forbidden
from app.domain.roles import Role
from app.extensions import db
from app.organisations.models import Organisation
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from procurement.award.services import lot_outcomes
from procurement.board import services as board
from procurement.domain import sharing


def of_framework(actor: User, framework_id: int) -> sharing.Sharing:
    """The framework's savings shared both ways: for admins, and for officers (whose view shows their own row)."""
    if actor.role not in (Role.ADMIN, Role.OFFICER):
        raise Forbidden("Only the consortium's admins and the authorities' officers see savings.")
    framework = frameworks.get(framework_id)
    recommendation = board.latest_for(framework.id)
    if framework.status not in (FrameworkStatus.STANDSTILL, FrameworkStatus.AWARDED, FrameworkStatus.EXPIRED) \
            or recommendation is None or recommendation.outcome != "approved":
        raise Conflict("Savings are known once the board has approved an award; "
                       f"this framework is {framework.status.value}.")
    return sharing.share_savings(lot_outcomes(framework, recommendation.award_run.result.get("awards", [])))


def visible_rows(actor: User, result: sharing.Sharing) -> list[sharing.AuthorityShare]:
    if actor.role == Role.OFFICER:
        return [row for row in result.authorities if row.organisation_id == actor.organisation_id]
    return list(result.authorities)


def names(result: sharing.Sharing) -> dict[int, str]:
    ids = [row.organisation_id for row in result.authorities]
    return dict(db.session.execute(db.select(Organisation.id, Organisation.name)
                                   .where(Organisation.id.in_(ids))).all())


def as_json(actor: User, result: sharing.Sharing) -> dict:
    def money(amount: Decimal) -> str:
        return f"{amount.quantize(Decimal('0.01'))}"

    baseline = sum((r.baseline for r in result.authorities), Decimal(0))
    awarded = sum((r.awarded for r in result.authorities), Decimal(0))
    return {"baseline": money(baseline), "awarded": money(awarded), "savings": money(result.total),
            "method": result.method,
            "by_authority": [{"organisation_id": r.organisation_id, "baseline": money(r.baseline),
                              "awarded": money(r.awarded), "savings": money(r.savings),
                              "share_proportional": money(r.share_proportional),
                              "share_shapley": money(r.share_shapley),
                              "shapley_error": money(r.shapley_error) if r.shapley_error is not None else None}
                             for r in visible_rows(actor, result)]}
