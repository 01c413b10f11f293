"""API: bearer tokens and the signed-in user."""
from flask import g
from pydantic import BaseModel, Field

from app import throttle
from app.accounts import tokens
from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.schemas import Time, UserOut

bp = api_blueprint("accounts_api", __name__)


class TokenRequest(BaseModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)
    otp: str | None = Field(default=None, max_length=32,
                            description="For a user with two-factor sign-in: the code from their app, or a recovery "
                                        "code (which is then spent).")


class TokenOut(BaseModel):
    token: str
    expires_at: Time


@bp.post("/tokens")
@throttle.limited("sign-in", account=throttle.SIGN_IN_API)
@operation("Exchange an e-mail and password for a bearer token", body=TokenRequest,
           responses={201: TokenOut}, errors=(401, 429), auth=False,
           description="Wrong credentials give 401, alike for an unknown address. Too many attempts from one client "
                       "address, or too many failures for one account from an address that has failed for it, give "
                       "429 with Retry-After; an address that has not failed is not held back by others' failures. "
                       "A user with two-factor sign-in also sends `otp`: without it 401 `otp_required`, a wrong one "
                       "401.")
def create_token(body: TokenRequest):
    """Issue a bearer token for an e-mail and password (and a second factor's code, for those who have one)."""
    token, raw = tokens.issue(body.email, body.password, body.otp)
    return {"token": raw, "expires_at": token.expires_at}, 201


@bp.delete("/tokens/current")
@token_required()
@operation("Revoke the token used for this request", responses={204: None})
def revoke_current_token():
    """Revoke the bearer token that made this request."""
    tokens.revoke(g.api_token, actor=api_user())
    return "", 204


@bp.get("/me")
@token_required()
@operation("The signed-in user and their organisation", responses={200: UserOut})
def me():
    """Who the token belongs to."""
    return api_user()
