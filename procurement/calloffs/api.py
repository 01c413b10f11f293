"""API: call-offs from an awarded lot."""


from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.schemas import Overlay
from app.domain.roles import Role
from procurement.calloffs import services as calloffs
from procurement.calloffs.schemas import CallOffIn, CallOffOut

bp = api_blueprint("calloffs_api", __name__)

@bp.post("/frameworks/<int:framework_id>/call-offs")
@token_required(Role.OFFICER)
@operation("Call off from an awarded lot", body=CallOffIn, responses={201: CallOffOut},
           errors=(400, 403, 404, 409, 422),
           description="An officer of an authority taking part in the lot makes a direct award to the lot's "
                       "supplier. It creates a levy owed by the supplier (the framework's levy percentage of the "
                       "value). 409 if it would pass the framework's maximum value (the message gives the "
                       "headroom), or if the lot has several suppliers (a mini-competition is needed).")
def make_call_off(framework_id: int, body: CallOffIn):
    """An officer calls off."""
    placed = calloffs.call_off(api_user(), framework_id, body.lot_id, body.supplier_id, body.value,
                               body.description)
    return Overlay(placed.call_off, levy=placed.levy), 201
