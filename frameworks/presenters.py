"""Frameworks and lots as JSON: money as decimal strings, times as ISO 8601 with an offset."""
from app.types import utcnow
from frameworks import services as frameworks
from frameworks.models import Framework, Lot


def _iso(moment):
    return moment.isoformat() if moment else None


def lot_json(lot: Lot) -> dict:
    demand = frameworks.demand(lot)
    return {
        "id": lot.id,
        "framework_id": lot.framework_id,
        "number": lot.number,
        "title": lot.title,
        "description": lot.description,
        "max_awards": lot.max_awards,
        "budget": f"{lot.budget:.2f}",
        "price_weight": lot.price_weight,
        "price_formula": lot.price_formula,
        "criteria": [{"id": c.id, "name": c.name, "weight": c.weight, "max_score": c.max_score,
                      "guidance": c.guidance, "word_limit": c.word_limit} for c in lot.criteria],
        "requirement_ids": sorted(p.requirement_id for p in lot.pooled),
        "demand": {
            "quantity": str(demand.quantity),
            "estimated_value": f"{demand.estimated_value:.2f}",
            "authorities": [{"organisation_id": a.organisation_id, "quantity": str(a.quantity),
                             "estimated_value": f"{a.estimated_value:.2f}", "share": f"{a.share:.4f}"}
                            for a in demand.authorities],
        },
    }


def framework_json(framework: Framework, *, with_lots: bool = True) -> dict:
    result = {
        "id": framework.id,
        "reference": framework.reference,
        "title": framework.title,
        "description": framework.description,
        "status": framework.current_status(utcnow()).value,
        "maximum_value": f"{framework.maximum_value:.2f}",
        "bid_deadline": _iso(framework.bid_deadline),
        "question_deadline": _iso(framework.question_deadline),
        "duration_months": framework.duration_months,
        "max_lots_per_supplier": framework.max_lots_per_supplier,
        "min_sme_share": str(framework.min_sme_share),
        "standstill_working_days": framework.standstill_working_days,
        "levy_percent": f"{framework.levy_percent:.2f}",
        "price_hidden_from_evaluators": framework.price_hidden_from_evaluators,
        "created_at": _iso(framework.created_at),
        "published_at": _iso(framework.published_at),
        "closed_at": _iso(framework.closed_at),
        "cancelled_at": _iso(framework.cancelled_at),
        "recommended_at": _iso(framework.recommended_at),
        "standstill_started_at": _iso(framework.standstill_started_at),
        "standstill_ends": _iso(framework.standstill_ends),
        "awarded_at": _iso(framework.awarded_at),
    }
    if with_lots:
        result["lots"] = [lot_json(lot) for lot in framework.lots]
    return result


def preload(query):
    """Load lots, criteria and pooled requirements with the frameworks, so a list is a fixed number of queries."""
    from sqlalchemy.orm import selectinload

    return query.options(
        selectinload(Framework.lots).selectinload(Lot.criteria),
        selectinload(Framework.lots).selectinload(Lot.pooled),
    )
