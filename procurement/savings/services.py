"""The savings of an awarded framework against the authorities' own estimates, and their sharing: in proportion
to demand and by the Shapley value (procurement/domain/sharing.py)."""
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Summary:
    """A framework's savings as one reader sees them: the totals, and the rows of the authorities they may see."""

    baseline: Decimal
    awarded: Decimal
    savings: Decimal
    method: str
    by_authority: list[sharing.AuthorityShare]


def summary(actor: User, result: sharing.Sharing) -> Summary:
    return Summary(sum((r.baseline for r in result.authorities), Decimal(0)),
                   sum((r.awarded for r in result.authorities), Decimal(0)), result.total, result.method,
                   visible_rows(actor, result))
