"""Invitations: an admin invites someone by e-mail to join an organisation with a role."""
import logging
import secrets
from datetime import timedelta

from flask import current_app

from app import outbox
from app.accounts import services as accounts
from app.accounts.models import Invitation, User
from app.accounts.tokens import digest
from app.audit import services as audit
from app.domain.errors import NotFound, ValidationFailed
from app.domain.identity import normalise_email
from app.domain.roles import Role, role_mismatch_message
from app.extensions import db
from app.links import public_url
from app.organisations import services as organisations
from app.templating import london_time
from app.types import utcnow

log = logging.getLogger(__name__)


def invite(*, actor: User, email: str, role: Role, organisation_id: int) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link (after the commit). Returns it and the link."""
    email = normalise_email(email)
    organisation = organisations.get(organisation_id)
    problems = {}
    if accounts.find_by_email(email):
        problems["email"] = "Someone with this e-mail address already has an account."
    if problem := role_mismatch_message(role, organisation.kind):
        problems["role"] = problem
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    _revoke_pending_for(email, actor)
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = Invitation(
        email=email, role=role, organisation=organisation, invited_by=actor, token_hash=digest(raw),
        created_at=now, expires_at=now + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    audit.record("invitation.created", invitation, actor=actor,
                 after={"role": role.value, "organisation_id": organisation.id,
                        "expires_at": invitation.expires_at.isoformat()})
    link = public_url("accounts.accept_invitation", token=raw)
    outbox.send_later(email, "You are invited to Consort", _invitation_text(invitation, link))
    db.session.commit()
    return invitation, link


def _invitation_text(invitation: Invitation, link: str) -> str:
    inviter = invitation.invited_by.name or invitation.invited_by.email
    return (
        f"{inviter} has invited you to join {invitation.organisation.name} on Consort "
        f"as {invitation.role.value}.\n\n"
        f"Choose your password here:\n{link}\n\n"
        f"The link works until {london_time(invitation.expires_at)}. "
        "If you were not expecting this, you can ignore this message.\n"
    )


def _revoke_pending_for(email: str, actor: User) -> None:
    """An earlier pending invitation for the same address stops working when a new one is sent."""
    now = utcnow()
    for earlier in db.session.scalars(db.select(Invitation).where(
            Invitation.email == email, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))):
        earlier.revoked_at = now
        audit.record("invitation.revoked", earlier, actor=actor)


def find_usable(raw: str) -> Invitation:
    """The pending invitation behind a link, or a clear reason it cannot be used."""
    invitation = db.session.scalar(db.select(Invitation).where(Invitation.token_hash == digest(raw)))
    if invitation is None:
        raise NotFound("This invitation link is not valid. Check you copied the whole link from the e-mail.")
    status = invitation.status(utcnow())
    if status == "expired":
        raise NotFound("This invitation has expired. Ask your administrator to send a new one.")
    if status == "accepted":
        raise NotFound("This invitation has already been used. Sign in instead.")
    if status == "revoked":
        raise NotFound("This invitation was replaced by a newer one or withdrawn. Use the latest e-mail.")
    return invitation


def accept(raw: str, *, name: str, password: str) -> User:
    """Turn an invitation into an account with the invited role. Commits."""
    invitation = find_usable(raw)
    user = accounts.add_user(invitation.email, password, invitation.role, invitation.organisation,
                             name=name, action="user.joined_by_invitation")
    invitation.accepted_at = utcnow()
    db.session.commit()
    return user


def revoke(invitation_id: int, *, actor: User) -> None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound("There is no such invitation.")
    if invitation.status(utcnow()) == "pending":
        invitation.revoked_at = utcnow()
        audit.record("invitation.revoked", invitation, actor=actor)
        db.session.commit()


def recent_query():
    return db.select(Invitation).order_by(Invitation.created_at.desc())
