"""Users: creating them, signing them in, changing and resetting passwords. (Repeated attempts are slowed by the
rate limits of app/throttle.py, not by locking the account.)"""
from datetime import datetime

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts import sessions
from app.accounts.models import ApiToken, User
from app.audit import services as audit
from app.domain.errors import NotSignedIn, ValidationFailed
from app.domain.identity import email_domain, normalise_email, password_problem
from app.domain.roles import OrganisationKind, Role, role_mismatch_message
from app.extensions import db
from app.organisations import services as organisations
from app.organisations.models import Organisation
from app.types import utcnow

SIGN_IN_FAILED = "The e-mail address or password is not right."
# Checked against when no user has the e-mail, so a wrong address takes as long as a wrong password.
_DUMMY_HASHES: dict[str, str] = {}


def hash_password(password: str) -> str:
    """scrypt, with the cost set by PASSWORD_HASH_METHOD (werkzeug's format, e.g. scrypt:32768:8:1)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("consort-timing-equaliser", method=method)
    return _DUMMY_HASHES[method]


def find_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def get(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def users_query(organisation_id: int | None = None, role: Role | None = None):
    query = db.select(User).order_by(User.email)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    if role is not None:
        query = query.where(User.role == role)
    return query


def authenticate(email: str, password: str, now: datetime | None = None) -> User:
    """The user with these credentials; an unknown address takes as long, and answers alike, as a wrong password.
    Commits."""
    now = now or utcnow()
    user = find_by_email(email or "")
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        raise NotSignedIn(SIGN_IN_FAILED, {"email": SIGN_IN_FAILED})
    if not check_password_hash(user.password_hash, password or ""):
        raise NotSignedIn(SIGN_IN_FAILED, {"email": SIGN_IN_FAILED})
    if not user.active:
        raise NotSignedIn("This account has been deactivated. Ask your Consort administrator.")
    user.last_sign_in_at = now
    db.session.commit()
    return user


def _check_new_user(email: str, password: str, role: Role, kind: OrganisationKind) -> dict[str, str]:
    """Every problem with a new user's details, by field."""
    email = normalise_email(email)
    problems = {}
    if "@" not in email.strip("@"):
        problems["email"] = "Enter an e-mail address, like name@camden.gov.uk."
    elif find_by_email(email):
        problems["email"] = "An account with this e-mail address already exists. Sign in instead."
    if problem := password_problem(password, email):
        problems["password"] = problem
    if problem := role_mismatch_message(role, kind):
        problems["role"] = problem
    return problems


def add_user(email: str, password: str, role: Role, organisation: Organisation, *,
             name: str = "", actor=None, action: str = "user.created") -> User:
    """Add a user to the session with its audit event; the caller commits."""
    if problems := _check_new_user(email, password, role, organisation.kind):
        raise ValidationFailed(next(iter(problems.values())), problems)
    user = User(email=normalise_email(email), name=" ".join(name.split()), password_hash=hash_password(password),
                role=role, organisation=organisation)
    db.session.add(user)
    audit.record(action, user, actor=actor, after=snapshot(user))
    return user


def register_supplier(*, company_name: str, companies_house_number: str, sme: bool,
                      name: str, email: str, password: str) -> User:
    """A supplier registers its company and its first user, in one transaction."""
    problems = _check_new_user(email, password, Role.SUPPLIER, OrganisationKind.SUPPLIER)
    try:
        organisation = organisations.add(company_name, OrganisationKind.SUPPLIER, sme=sme,
                                         companies_house_number=companies_house_number)
    except ValidationFailed as error:
        # The organisation's "name" is the form's company_name; "name" there is the person's name.
        fields = {("company_name" if field == "name" else field): message for field, message in error.fields.items()}
        problems = fields | problems
    if problems:
        db.session.rollback()
        raise ValidationFailed(next(iter(problems.values())), problems)
    user = add_user(email, password, Role.SUPPLIER, organisation, name=name, action="user.signed_up")
    db.session.commit()
    return user


def register_officer(*, authority_id: int, name: str, email: str, password: str) -> User:
    """An officer signs up, but only from an e-mail domain that the authority allows."""
    authority = db.session.get(Organisation, authority_id)
    if authority is None or authority.kind != OrganisationKind.AUTHORITY:
        message = "Choose your authority from the list."
        raise ValidationFailed(message, {"authority_id": message})
    domain = email_domain(email)
    allowed = [d.domain for d in authority.domains]
    if domain not in allowed:
        if allowed:
            message = (f"{authority.name} accepts sign-ups only from e-mail addresses at "
                       f"{', '.join(allowed)}. Use your work address, or ask an administrator for an invitation.")
        else:
            message = f"{authority.name} has no sign-up domains yet. Ask a Consort administrator for an invitation."
        raise ValidationFailed(message, {"email": message})
    try:
        user = add_user(email, password, Role.OFFICER, authority, name=name, action="user.signed_up")
    except ValidationFailed:
        db.session.rollback()
        raise
    db.session.commit()
    return user


def create_user(email: str, password: str, role: Role, organisation_name: str,
                organisation_kind: OrganisationKind | None = None, sme: bool = False) -> User:
    """Create a user for an operator (the CLI), creating the organisation if it does not exist."""
    organisation = organisations.find_by_name(organisation_name)
    try:
        if organisation is None:
            kind = organisation_kind or _default_kind(role)
            organisation = organisations.add(organisation_name, kind, sme=sme)
        elif organisation_kind and organisation.kind != organisation_kind:
            message = f"{organisation.name} is a {organisation.kind.value}, not a {organisation_kind.value}."
            raise ValidationFailed(message, {"org_kind": message})
        user = add_user(email, password, role, organisation)
    except ValidationFailed:
        db.session.rollback()
        raise
    db.session.commit()
    return user


def _default_kind(role: Role) -> OrganisationKind:
    return {
        Role.ADMIN: OrganisationKind.CONSORTIUM,
        Role.BOARD: OrganisationKind.CONSORTIUM,
        Role.OFFICER: OrganisationKind.AUTHORITY,
        Role.EVALUATOR: OrganisationKind.AUTHORITY,
        Role.SUPPLIER: OrganisationKind.SUPPLIER,
    }[role]


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a user's own password after checking the current one; their other sessions end. Commits."""
    if not check_password_hash(user.password_hash, current_password or ""):
        message = "Your current password is not right."
        raise ValidationFailed(message, {"current_password": message})
    _replace_password(user, new_password, field="new_password", action="user.password_changed",
                      reason="password changed", keep_this_session=True)
    db.session.commit()


def reset_password(user: User, new_password: str) -> None:
    """Replace a forgotten password (from a reset link, which the caller spends before it commits): every session
    of the user ends."""
    _replace_password(user, new_password, field="password", action="user.password_reset",
                      reason="password reset", keep_this_session=False)


def _replace_password(user: User, new_password: str, *, field: str, action: str, reason: str,
                      keep_this_session: bool) -> None:
    """A new password, audited as `action`: the sessions it signs out and the API tokens issued for the old
    password end with it, each audited with `reason`. Within the caller's transaction."""
    if problem := password_problem(new_password, user.email):
        raise ValidationFailed(problem, {field: problem})
    user.password_hash = hash_password(new_password)  # other sessions end: their fingerprint no longer matches
    audit.record(action, user, actor=user)
    if keep_this_session:
        sessions.end_others(user, reason=reason)
    else:
        sessions.end_all(user, reason=reason)
    now = utcnow()
    for token in db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id,
                                                              ApiToken.revoked_at.is_(None))):
        token.revoked_at = now  # and so do the API tokens issued for the old password
        audit.record("api_token.revoked", token, actor=user, after={"reason": reason})


def snapshot(user: User) -> dict:
    # No e-mail address or name: the audit log names people by id, so that erasing them (anonymising the user row)
    # changes no event and the hash chain still verifies.
    return {
        "role": user.role.value,
        "organisation_id": user.organisation.id if user.organisation else user.organisation_id,
        "active": user.active,
    }


def users_of(organisation_id: int) -> list[User]:
    """An organisation's users, by e-mail address."""
    return list(db.session.scalars(users_query(organisation_id)))
