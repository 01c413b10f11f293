"""Administrators' pages."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts import invitations, two_factor
from app.accounts import services as accounts
from app.accounts.access import role_required
from app.admin.forms import DomainsForm, InvitationForm
from app.audit import naming, sealed, transparency
from app.audit import services as audit
from app.domain.errors import NotFound, ValidationFailed
from app.domain.roles import OrganisationKind, Role
from app.forms import ConfirmForm
from app.organisations import services as organisations
from app.types import utcnow
from app.webforms import page_of, render_form, service_errors

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
PER_PAGE = 25


def _page(query):
    return page_of(query, per_page=PER_PAGE)


def _enum_arg(name: str, enum):
    value = request.args.get(name) or None
    return enum(value) if value in {e.value for e in enum} else None


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    """Everyone with an account, filterable by role."""
    role = _enum_arg("role", Role)
    return render_form("admin/users.html", ConfirmForm(), page=_page(accounts.users_query(role=role)),
                       role=role, roles=list(Role))


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def reset_two_factor(user_id: int):
    """Confirm, then remove another user's second factor (a lost phone): they set up a new one at their next
    sign-in if their role needs it."""
    target = accounts.get(user_id)
    if target is None:
        raise NotFound("There is no user with that id.")
    form = ConfirmForm(label=f"I have checked that this request really comes from {target.email}",
                       message="Tick the box to confirm you have checked who is asking.",
                       submit="Reset their second factor")
    if form.validate_on_submit():
        with service_errors(catch=ValidationFailed) as outcome:
            two_factor.reset(current_user, target)
        if not outcome.failed:
            flash(f"The second factor of {target.email} has been reset.", "success")
        return redirect(url_for("admin.users"))
    return render_form("admin/reset_two_factor.html", form, target=target,
                       enrolled_since=two_factor.enabled_since(target), required=two_factor.is_required(target))


@bp.route("/invitations", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def invitations_page():
    """Invite someone by e-mail, and see the invitations sent."""
    form = InvitationForm()
    form.organisation_id.choices = [SelectChoice(0, "Choose an organisation")] + [
        SelectChoice(o.id, f"{o.name} ({o.kind.value})")
        for o in organisations.listed()]
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            invitation, link = invitations.invite(
                actor=current_user, email=form.email.data, role=Role(form.role.data),
                organisation_id=form.organisation_id.data)
            # The e-mail leaves after the commit, through the task consumer; the link is here in case it is lost.
            flash(f"Invitation saved; it is being e-mailed to {invitation.email}. If it does not arrive, send them "
                  f"this link yourself: {link}", "success")
            return redirect(url_for("admin.invitations_page"))
    return render_form("admin/invitations.html", form, page=_page(invitations.recent_query()),
                       now=utcnow(), revoke_form=ConfirmForm())


@bp.post("/invitations/<int:invitation_id>/revoke")
@role_required(Role.ADMIN)
def revoke_invitation(invitation_id: int):
    """Withdraw a pending invitation so its link stops working."""
    if ConfirmForm().validate_on_submit():
        invitations.revoke(invitation_id, actor=current_user)
        flash("The invitation has been withdrawn.", "success")
    return redirect(url_for("admin.invitations_page"))


@bp.get("/organisations")
@role_required(Role.ADMIN)
def organisations_page():
    """Authorities, suppliers and the consortium."""
    kind = _enum_arg("kind", OrganisationKind)
    return render_form("admin/organisations.html", ConfirmForm(),
                       page=_page(organisations.list_query(kind)), kind=kind, kinds=list(OrganisationKind))


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def organisation(organisation_id: int):
    """One organisation: its users and, for an authority, its sign-up domains."""
    org = organisations.get(organisation_id)
    form = DomainsForm()
    if request.method == "GET":
        form.domains.data = "\n".join(d.domain for d in org.domains)
    if org.kind == OrganisationKind.AUTHORITY and form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            organisations.set_domains(org, form.domains.data.split(), actor=current_user)
            flash("The sign-up domains have been saved.", "success")
            return redirect(url_for("admin.organisation", organisation_id=org.id))
    members = accounts.users_of(org.id)
    return render_form("admin/organisation.html", form, organisation=org, members=members)


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit_log():
    """The audit log, newest first, with a check of its hash chain on request."""
    object_type = request.args.get("object_type") or None
    query = audit.events_query(object_type, request.args.get("object_id") or None, request.args.get("action") or None)
    page = _page(query)
    return render_form("admin/audit.html", ConfirmForm(), page=page, object_type=object_type,
                       object_names=naming.names_of(page.items),
                       checkpoint=transparency.latest_checkpoint(), key=transparency.public_key())


@bp.post("/audit/verify")
@role_required(Role.ADMIN)
def verify_audit():
    """Check the hash chain of the whole audit log now, and that it extends the latest checkpoint."""
    if ConfirmForm().validate_on_submit():
        checked, broken = audit.verify()
        latest = transparency.latest_checkpoint()
        finding = transparency.verify_against(transparency.Claim.of(latest)) if latest and not broken else None
        # Only the sealed logs already opened: the check must not tell whether one is waiting.
        opened_problems = sealed.problems(opened_only=True)
        if broken:
            flash(f"Event {broken.event_id} is not as recorded: {broken.reason}.", "error")
        elif opened_problems:
            flash(f"The audit log is not as recorded: {opened_problems[0]}.", "error")
        elif finding is not None and finding.problem:
            where = f"event {finding.event_id}: " if finding.event_id else ""
            flash(f"The log does not extend its latest checkpoint: {where}{finding.problem}.", "error")
        else:
            flash(f"All {checked} audit events are intact"
                  f"{' and extend the latest checkpoint' if latest else ''}.", "success")
    return redirect(url_for("admin.audit_log"))


@bp.post("/audit/checkpoints")
@role_required(Role.ADMIN)
def sign_checkpoint():
    """Sign a checkpoint of the log as it is now (the task consumer also does, each minute the log grew)."""
    if ConfirmForm().validate_on_submit():
        try:
            checkpoint = transparency.make_checkpoint()
        except transparency.LogDoesNotExtendCheckpoint as error:
            flash(error.message, "error")
        else:
            flash(f"Checkpoint signed: {checkpoint.tree_size} events.", "success")
    return redirect(url_for("admin.audit_log"))
