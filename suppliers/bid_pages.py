"""The supplier's bid as a task list: the list itself, a page per lot, the bundles, the documents, and checking
the answers before submitting (the submission and its receipt are in `suppliers.views`)."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app import throttle
from app.accounts.access import role_required
from app.domain.roles import Role
from app.forms import ConfirmForm
from app.types import utcnow
from app.webforms import render_form, service_errors
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from suppliers import bids, documents, profiles
from suppliers import task_list as tasks
from suppliers.domain import exclusion
from suppliers.forms import UploadForm, bundle_content, bundles_form, lot_form, lot_offer, lot_place
from suppliers.models import BidStatus

bp = Blueprint("bidding", __name__, template_folder="templates")
SAVED = "Submit your bid before the deadline for it to count."


def _framework_for_bidding(framework_id: int):
    framework = frameworks.get_visible(current_user, framework_id)
    return framework, framework.current_status(utcnow()) == FrameworkStatus.OPEN


def _to_task_list(framework_id: int):
    return redirect(url_for("bidding.task_list", framework_id=framework_id), 303)


@bp.get("/frameworks/<int:framework_id>/bid")
@role_required(Role.SUPPLIER)
def task_list(framework_id: int):
    """The supplier's bid on a framework as a task list: its organisation, each lot, bundles, documents, submit."""
    framework = frameworks.get_visible(current_user, framework_id)
    return render_template("suppliers/bid_tasks.html", tasks=tasks.tasks_of(current_user, framework, utcnow()))


@bp.route("/frameworks/<int:framework_id>/bid/lots/<int:lot_id>", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def lot(framework_id: int, lot_id: int):
    """One lot of the bid, its price and answers, saved as a draft (as it is typed, where scripts run)."""
    framework, is_open = _framework_for_bidding(framework_id)
    chosen = next((x for x in framework.lots if x.id == lot_id), None) or abort(404)
    bid = bids.own_bid(current_user, framework.id)
    offer = next((o for o in bids.content_of(bid).lots if o.lot_id == chosen.id), None) if bid else None
    autosave = request.headers.get("X-Autosave") == "1"
    form = lot_form(chosen, offer, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        with service_errors(form, rename=lot_place) as outcome:
            bid = tasks.save_lot(current_user, framework.id, chosen.id, lot_offer(form, chosen))
            if autosave:
                return jsonify(bid_id=bid.id, status=bid.status.value, saved_at=bid.updated_at.isoformat())
            flash(f"Lot {chosen.number} is saved in your draft. {SAVED}", "success")
            return _to_task_list(framework.id)
        if autosave:
            error = outcome.error
            return jsonify(error=error.code, message=error.message, fields=error.fields), error.status
    elif request.method == "POST" and autosave:
        fields = {name: errors[0] for name, errors in form.errors.items()}
        return jsonify(error="validation_failed", message=next(iter(fields.values()), "Check the form."),
                       fields=fields), 422
    return render_form("suppliers/bid_lot.html", form, framework=framework, lot=chosen, bid=bid, offer=offer,
                       is_open=is_open, confirm_form=ConfirmForm())


@bp.post("/frameworks/<int:framework_id>/bid/lots/<int:lot_id>/remove")
@role_required(Role.SUPPLIER)
def remove_lot(framework_id: int, lot_id: int):
    """Take a lot out of the bid; the other lots stay."""
    framework, _ = _framework_for_bidding(framework_id)
    chosen = next((x for x in framework.lots if x.id == lot_id), None) or abort(404)
    if ConfirmForm().validate_on_submit():
        with service_errors():
            tasks.save_lot(current_user, framework.id, chosen.id, None)
            flash(f"Lot {chosen.number} is taken out of your bid. {SAVED}", "success")
            return _to_task_list(framework.id)
    return redirect(url_for("bidding.lot", framework_id=framework.id, lot_id=chosen.id), 303)


@bp.route("/frameworks/<int:framework_id>/bid/bundles", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def bundles(framework_id: int):
    """The bid's bundles: one price for two or more of its lots, valid only if all of them are won."""
    framework, is_open = _framework_for_bidding(framework_id)
    bid = bids.own_bid(current_user, framework.id)
    content = bids.content_of(bid) if bid else None
    if content is None or (len(content.lots) < 2 and not content.bundles):
        flash("Price two or more lots of your bid before you bundle them.", "warning")
        return _to_task_list(framework.id)
    form = bundles_form(framework, content.lots, content.bundles,
                        formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        offered, places = bundle_content(form)
        with service_errors(form, rename=lambda name: places.get(name, name)):
            tasks.save_bundles(current_user, framework.id, offered)
            flash(f"Your bundles are saved in your draft. {SAVED}", "success")
            return _to_task_list(framework.id)
    return render_form("suppliers/bid_bundles.html", form, framework=framework, bid=bid, is_open=is_open)


@bp.get("/frameworks/<int:framework_id>/bid/documents")
@role_required(Role.SUPPLIER)
def documents_page(framework_id: int):
    """The bid's documents: those attached, and a form to attach another."""
    framework = frameworks.get_visible(current_user, framework_id)
    bid = bids.own_bid(current_user, framework.id)
    if bid is None:
        flash(tasks.NO_BID_YET, "warning")
        return _to_task_list(framework.id)
    return _documents_page(bid.id, UploadForm())


def _documents_page(bid_id: int, form: UploadForm):
    record = bids.readable(current_user, bid_id)
    is_open = record.framework.current_status(utcnow()) == FrameworkStatus.OPEN
    return render_form("suppliers/bid_documents.html", form, bid=record, framework=record.framework,
                       is_open=is_open, confirm_form=ConfirmForm())


@bp.post("/bids/<int:bid_id>/documents")
@role_required(Role.SUPPLIER)
@throttle.limited("upload", per_user=True)
def upload(bid_id: int):
    """Attach a document to the bid."""
    form = UploadForm()
    if form.validate_on_submit():
        with service_errors(form):
            document = documents.upload(current_user, bid_id, form.file.data.filename or "", form.file.data.read())
            flash(f"“{document.filename}” is attached ({document.media_type}). "
                  "Submit the bid again so that its receipt covers it.", "success")
            return _to_documents(bid_id)
    return _documents_page(bid_id, form)


def _to_documents(bid_id: int):
    return redirect(url_for("bidding.documents_page",
                            framework_id=bids.readable(current_user, bid_id).framework_id), 303)


@bp.post("/bids/<int:bid_id>/documents/<int:document_id>/remove")
@role_required(Role.SUPPLIER)
def remove_document(bid_id: int, document_id: int):
    """Remove a document from the bid."""
    form = ConfirmForm()
    if form.validate_on_submit():
        with service_errors():
            documents.remove(current_user, bid_id, document_id)
            flash("The document is removed.", "success")
    return _to_documents(bid_id)


@bp.get("/frameworks/<int:framework_id>/bid/check")
@role_required(Role.SUPPLIER)
def check(framework_id: int):
    """Check your answers: the whole bid with a link to change each part, and the button that submits it."""
    framework = frameworks.get_visible(current_user, framework_id)
    bid_tasks = tasks.tasks_of(current_user, framework, utcnow())
    if bid_tasks.bid is None:
        flash(tasks.NO_BID_YET, "warning")
        return _to_task_list(framework.id)
    declaration = profiles.current_declaration(current_user.organisation_id)
    return render_template("suppliers/bid_check.html", tasks=bid_tasks, framework=framework, bid=bid_tasks.bid,
                           lots={lot.id: lot for lot in framework.lots},
                   form=ConfirmForm(), declaration=declaration, profile=profiles.profile_of(
                       current_user.organisation_id), submitted=bid_tasks.bid.status == BidStatus.SUBMITTED,
                   declaration_summary=exclusion.summary(profiles.as_domain(declaration)))
