"""API: a framework's savings, shared between its authorities."""


from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.domain.roles import Role
from procurement.savings import services as savings
from procurement.savings.schemas import SavingsOut

bp = api_blueprint("savings_api", __name__)

@bp.get("/frameworks/<int:framework_id>/savings")
@token_required(Role.ADMIN, Role.OFFICER)
@operation("The framework's savings, shared between the authorities", responses={200: SavingsOut},
           errors=(403, 404, 409),
           description="Savings are the authorities' own estimates less their shares (by quantity) of the awarded "
                       "prices. The total is shared in proportion to demand and by the Shapley value of the game in "
                       "which each coalition buys its pooled volume at the price the bids imply (exact up to 20 "
                       "authorities a lot; sampled beyond, with `shapley_error`). An officer sees their own row.")
def framework_savings(framework_id: int):
    """Savings and their sharing."""
    return savings.summary(api_user(), savings.of_framework(api_user(), framework_id))
