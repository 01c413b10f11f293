"""Pages of suppliers: the profile and declaration, a bid and its receipt, submitting and withdrawing, bid lists."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.accounts.access import role_required
from app.audit import transparency
from app.csvfiles import csv_response
from app.domain.errors import ValidationFailed
from app.domain.roles import Role
from app.forms import ConfirmForm
from app.types import utcnow
from app.webforms import page_of, render_form, service_errors
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from suppliers import bids, documents, profiles
from suppliers.api import serve
from suppliers.domain import bidding, exclusion
from suppliers.forms import (
    ProfileForm,
    declaration_answers,
    declaration_form,
    ground_field,
)
from suppliers.models import BidStatus

bp = Blueprint("suppliers", __name__, template_folder="templates")
PER_PAGE = 25


@bp.route("/supplier/profile", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def profile():
    """The supplier's profile: company details, SME status, contacts."""
    organisation = current_user.organisation
    record = profiles.profile_of(organisation.id)
    form = ProfileForm(data=profiles.profile_json(record, organisation))
    if form.validate_on_submit():
        names = ("companies_house_number", "ppon", "sme", *profiles.PROFILE_FIELDS)
        changes = {name: form[name].data for name in names}
        with service_errors(form, catch=ValidationFailed):
            profiles.update_profile(current_user, changes)
            flash("Your profile is saved.", "success")
            return redirect(url_for("suppliers.profile"))
    declaration = profiles.current_declaration(organisation.id)
    return render_form("suppliers/profile.html", form, organisation=organisation, declaration=declaration,
                       summary=exclusion.summary(profiles.as_domain(declaration)))


@bp.route("/supplier/declaration", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def declaration():
    """The declaration against the exclusion grounds, made once and reused for every bid."""
    current = profiles.current_declaration(current_user.organisation_id)
    form = declaration_form(current)
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed, rename=_declaration_field):
            profiles.declare(current_user, declaration_answers(form), form.details.data or "",
                             form.self_cleaning.data or "")
            flash("Your declaration is made. Bids you submit from now on carry it.", "success")
            return redirect(url_for("suppliers.profile"))
    return render_form("suppliers/declaration.html", form, grounds=exclusion.GROUNDS, current=current,
                       ground_field=ground_field, summary=exclusion.summary(profiles.as_domain(current)))


def _declaration_field(name: str) -> str:
    """The form's field for a service's name: `answers.<code>` is the question of that exclusion ground."""
    return ground_field(name.split(".", 1)[1]) if name.startswith("answers.") else name


def _receipt_proof(bid) -> dict | None:
    """Where the receipt's inclusion proof is, once a checkpoint covers its event."""
    checkpoint = transparency.latest_checkpoint() if bid.receipt_log_index is not None else None
    if checkpoint is None or checkpoint.tree_size <= bid.receipt_log_index:
        return None
    return {"checkpoint": checkpoint, "url": url_for("transparency_api.inclusion_proof", index=bid.receipt_log_index,
                                                     tree_size=checkpoint.tree_size)}


@bp.get("/bids/<int:bid_id>")
@login_required
def bid(bid_id: int):
    """A bid and its receipt, as far as the seal lets the reader see it."""
    record = bids.readable(current_user, bid_id)
    framework = record.framework
    own = current_user.role == Role.SUPPLIER
    is_open = framework.current_status(utcnow()) == FrameworkStatus.OPEN
    lots = {lot.id: lot for lot in framework.lots}
    problems = {}
    if own and record.status == BidStatus.DRAFT:
        problems = bidding.submission_problems(bids.content_of(record), bids.rules_of(framework),
                                               bidding.FrameworkRules(framework.max_lots_per_supplier))
    # The supplier sees its declaration in force; readers after the deadline see the one the bid was tendered with.
    declaration = profiles.current_declaration(record.supplier_id) if own else record.declaration
    view = bids.view_for(current_user, framework)
    return render_template("suppliers/bid.html", bid=record, framework=framework, lots=lots, own=own,
                           view=view, proof=_receipt_proof(record), is_open=is_open and own, problems=problems,
                           declaration=declaration,
                           declaration_summary=exclusion.summary(profiles.as_domain(declaration)))


@bp.route("/bids/<int:bid_id>/submit", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def submit(bid_id: int):
    """Ask once more, then submit: the server's time at the write decides whether it is in time."""
    record = bids.readable(current_user, bid_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with service_errors():
            record = bids.submit(current_user, bid_id)
            return redirect(url_for("suppliers.submitted", bid_id=record.id))
        return redirect(url_for("suppliers.bid", bid_id=bid_id))
    return render_template("suppliers/confirm.html", bid=record, form=form, action="submit",
                           declaration=profiles.current_declaration(record.supplier_id))


@bp.get("/bids/<int:bid_id>/submitted")
@role_required(Role.SUPPLIER)
def submitted(bid_id: int):
    """The end of submitting: the receipt's reference and what happens next."""
    record = bids.readable(current_user, bid_id)
    if record.status != BidStatus.SUBMITTED:
        return redirect(url_for("suppliers.bid", bid_id=record.id))
    return render_template("suppliers/submitted.html", bid=record, framework=record.framework)


@bp.route("/bids/<int:bid_id>/withdraw", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def withdraw(bid_id: int):
    """Ask once more, then withdraw the bid."""
    record = bids.readable(current_user, bid_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with service_errors():
            bids.withdraw(current_user, bid_id)
            flash("Your bid is withdrawn. You can change it and submit it again until the deadline.", "success")
        return redirect(url_for("suppliers.bid", bid_id=bid_id))
    return render_template("suppliers/confirm.html", bid=record, form=form, action="withdraw", declaration=None)


@bp.get("/bids/<int:bid_id>/documents/<int:document_id>")
@login_required
def download(bid_id: int, document_id: int):
    """A document of a bid the reader may see."""
    return serve(*documents.readable(current_user, bid_id, document_id))


@bp.get("/frameworks/<int:framework_id>/bids")
@login_required
def framework_bids(framework_id: int):
    """The bids of a framework the reader may see: a supplier its own; admins and evaluators all, once opened."""
    framework = frameworks.get_visible(current_user, framework_id)
    query = bids.readable_query(current_user, framework)
    page = page_of(query, per_page=PER_PAGE)
    sealed = bids.is_sealed(framework, utcnow())
    return render_template("suppliers/framework_bids.html", framework=framework, page=page, sealed=sealed,
                           lots={lot.id: lot for lot in framework.lots}, view=bids.view_for(current_user, framework))


@bp.get("/frameworks/<int:framework_id>/bids.csv")
@login_required
def export_bids(framework_id: int):
    """The readable bids as CSV, one row per bid and lot: the export goes through the same seal as the pages."""
    framework = frameworks.get_visible(current_user, framework_id)
    lots = {lot.id: lot for lot in framework.lots}
    view = bids.view_for(current_user, framework)
    header = ["bid_id", "supplier", "sme", "status", "submitted_at", "receipt_sha256", "offer", "lots", "price",
              "documents", "declaration"]
    return csv_response(f"{framework.reference}-bids.csv", header, _bid_rows(framework, lots, view))


def _bid_rows(framework, lots, view):
    for record in bids.readable_list(current_user, framework):
        common = [record.id, record.supplier.name, record.supplier.sme, record.status.value,
                  record.submitted_at.isoformat() if record.submitted_at else "", record.receipt_sha256 or ""]
        tail = [len(record.documents), exclusion.summary(profiles.as_domain(record.declaration))]
        for offer in record.lots:
            if view.lot_ids is None or offer.lot_id in view.lot_ids:
                price = f"{offer.price:.2f}" if view.prices else "hidden"
                yield [*common, "lot", lots[offer.lot_id].number, price, *tail]
        for bundle in record.bundles if view.prices and view.lot_ids is None else ():
            numbers = " ".join(str(lots[x.lot_id].number) for x in bundle.lots)
            yield [*common, "bundle", numbers, f"{bundle.price:.2f}", *tail]


