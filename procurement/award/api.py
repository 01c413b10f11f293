"""API: award runs of a framework in evaluation."""


from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.pagination import paginate
from app.domain.roles import Role
from app.extensions import db
from frameworks import services as frameworks
from procurement.award import services as award
from procurement.award.models import AwardRun
from procurement.award.schemas import AwardRunIn, AwardRunOut

bp = api_blueprint("award_api", __name__)

@bp.post("/frameworks/<int:framework_id>/award-runs")
@token_required(Role.ADMIN)
@operation("Run the award optimiser on a framework in evaluation", body=AwardRunIn,
           responses={201: AwardRunOut, 202: AwardRunOut},
           errors=(403, 404, 409),
           description="An exact mixed-integer programme (HiGHS) with the greedy baseline beside it and an "
                       "explanation. `exclude_supplier_ids` and `max_lots_per_supplier` make a what-if run. A large "
                       "problem answers 202 with `\"status\": \"running\"`: poll GET /award-runs/{id} until it is "
                       "`done` (or `failed`).")
def run_award(framework_id: int, body: AwardRunIn):
    """An admin runs the award."""
    options = award.Options(frozenset(body.exclude_supplier_ids), body.max_lots_per_supplier, body.time_limit)
    record = award.run(api_user(), framework_id, options)
    return record, 201 if record.status != "running" else 202


@bp.get("/award-runs/<int:run_id>")
@token_required(Role.ADMIN, Role.BOARD)
@operation("An award run", responses={200: AwardRunOut}, errors=(403, 404),
           description="For the consortium's admins and its board (who vote on a recommended run).")
def get_award_run(run_id: int):
    """One stored run."""
    return award.get(api_user(), run_id)


@bp.get("/frameworks/<int:framework_id>/award-runs")
@token_required(Role.ADMIN)
@operation("A framework's award runs, newest first", responses={200: AwardRunOut}, paginated=True,
           errors=(403, 404))
def list_award_runs(framework_id: int):
    """Every run of a framework."""
    frameworks.get(framework_id)
    return paginate(db.select(AwardRun).where(AwardRun.framework_id == framework_id).order_by(AwardRun.id.desc()))
