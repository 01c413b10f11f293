"""API: call-offs from an awarded lot."""


from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.validation import json_body
from app.domain.roles import Role
from procurement.calloffs import services as calloffs
from procurement.calloffs.schemas import CallOffIn, CallOffOut

bp = api_blueprint("calloffs_api", __name__)

@bp.post("/frameworks/<int:framework_id>/call-offs")
@operation("Call off from an awarded lot", body=CallOffIn, responses={201: CallOffOut},
           errors=(400, 403, 404, 409, 422),
           description="An officer of an authority taking part in the lot makes a direct award to the lot's "
                       "supplier. It creates a levy owed by the supplier (the framework's levy percentage of the "
                       "value). 409 if it would pass the framework's maximum value (the message gives the "
                       "headroom), or if the lot has several suppliers (a mini-competition is needed).")
@token_required(Role.OFFICER)
def make_call_off(framework_id: int):
    """An officer calls off."""
    body = json_body(CallOffIn)
    placed = calloffs.call_off(api_user(), framework_id, body.lot_id, body.supplier_id, body.value,
                               body.description)
    return calloffs.call_off_json(placed.call_off, placed.levy), 201
