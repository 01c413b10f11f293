"""Who sees an authority's data: for each framework its requirements are pooled in, which organisations see which
of its data, and under which version of the data-sharing agreement. Computed from the frameworks themselves, by
the rules the pages and the API apply (see the comments), not from a description of them."""
from dataclasses import dataclass
from datetime import datetime

from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations.models import Organisation
from app.types import utcnow
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework, Lot, LotRequirement
from frameworks.requirements.models import Requirement
from frameworks.sharing.models import AgreementAcceptance
from procurement.calloffs.models import CallOff

REQUIREMENTS, QUANTITIES, PRICES, SPEND, SAVINGS = (
    "requirements", "quantities", "estimated prices", "spend", "savings")
SAVINGS_KNOWN = (FrameworkStatus.STANDSTILL, FrameworkStatus.AWARDED, FrameworkStatus.EXPIRED)


@dataclass(frozen=True)
class Audience:
    who: str
    organisations: tuple[str, ...]
    data: tuple[str, ...]
    how: str


@dataclass(frozen=True)
class FrameworkExposure:
    framework: Framework
    acceptance: AgreementAcceptance | None  # the one in force when it was tendered (or now, for a draft)
    audiences: tuple[Audience, ...]


def _frameworks_of(organisation_id: int) -> list[Framework]:
    ids = (db.select(Lot.framework_id).join(LotRequirement).join(Requirement)
           .where(Requirement.organisation_id == organisation_id))
    return list(db.session.scalars(db.select(Framework).where(Framework.id.in_(ids))
                                   .order_by(Framework.created_at.desc(), Framework.id.desc())))


def _acceptance_at(organisation_id: int, moment: datetime) -> AgreementAcceptance | None:
    return db.session.scalars(db.select(AgreementAcceptance).where(
        AgreementAcceptance.organisation_id == organisation_id, AgreementAcceptance.accepted_at <= moment,
        db.or_(AgreementAcceptance.withdrawn_at.is_(None), AgreementAcceptance.withdrawn_at > moment))
        .order_by(AgreementAcceptance.accepted_at.desc()).limit(1)).first()


def _names(ids) -> tuple[str, ...]:
    ids = set(ids)
    return tuple(db.session.scalars(db.select(Organisation.name).where(Organisation.id.in_(ids))
                                    .order_by(Organisation.name))) if ids else ()


def _audiences(framework: Framework, organisation_id: int) -> tuple[Audience, ...]:
    others = {p.requirement.organisation_id for lot in framework.lots for p in lot.pooled} - {organisation_id}
    calloffs = list(db.session.scalars(db.select(CallOff).where(CallOff.framework_id == framework.id,
                                                                CallOff.organisation_id == organisation_id)))
    consortium = tuple(db.session.scalars(db.select(Organisation.name).where(
        Organisation.kind == OrganisationKind.CONSORTIUM).order_by(Organisation.name)))
    audiences = [Audience(
        "The consortium's admins", consortium,
        (REQUIREMENTS, QUANTITIES, PRICES) + ((SPEND,) if calloffs else ()) +
        ((SAVINGS,) if framework.status in SAVINGS_KNOWN else ()),
        "They pool the requirements, run the competition and report spend and savings.")]
    if others:
        audiences.append(Audience(
            "The other authorities in this framework", _names(others), (QUANTITIES, PRICES),
            "Each lot's page shows its pooled demand by authority; they see their own savings, not yours."))
    if framework.status == FrameworkStatus.DRAFT:
        audiences.append(Audience(
            "Everyone else signed in, except suppliers", (), (QUANTITIES, PRICES),
            "Officers of other authorities, evaluators and the board can open a draft framework's page."))
    else:
        audiences.append(Audience(
            "Anyone: suppliers and the public", (), (QUANTITIES, PRICES) + ((SPEND,) if calloffs else ()),
            "The tender notice and the open contracting data (OCDS) publish each lot's demand, and each "
            "call-off's value; never the names of people."))
    if calloffs:
        audiences.append(Audience(
            "The suppliers you called off from", _names(c.supplier_id for c in calloffs), (SPEND,),
            "Each sees the call-offs placed with it, and the levy it owes on them."))
    return tuple(audiences)


def who_sees(organisation_id: int, now: datetime | None = None) -> list[FrameworkExposure]:
    """For each framework pooling the authority's requirements, newest first: who sees which of its data."""
    now = now or utcnow()
    return [FrameworkExposure(framework, _acceptance_at(organisation_id, framework.published_at or now),
                              _audiences(framework, organisation_id))
            for framework in _frameworks_of(organisation_id)]
