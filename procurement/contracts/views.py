"""Pages of standstill and contracts: the standstill letters, awarding the framework, the contracts with their
versions, signing and countersigning."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import pdf
from app.accounts.access import role_required
from app.domain.errors import ValidationFailed
from app.domain.roles import Role
from app.forms import ConfirmForm
from app.webforms import render_form, service_errors
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from procurement.board.forms import confirm_form
from procurement.contracts import services as contracts
from procurement.contracts import standstill
from procurement.contracts.forms import SignForm

bp = Blueprint("contracts", __name__, template_folder="templates")

@bp.get("/frameworks/<int:framework_id>/standstill-letter")
@role_required(Role.SUPPLIER)
def my_letter(framework_id: int):
    """A supplier's own assessment summary letter."""
    letter = standstill.letter_for(current_user, framework_id, current_user.organisation_id)
    return pdf.response(letter.pdf, f"assessment-summary-{framework_id}.pdf")


@bp.route("/frameworks/<int:framework_id>/award-framework", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def award_framework(framework_id: int):
    """After the standstill, the admin awards the framework, which issues its contracts."""
    framework = frameworks.get(framework_id)
    form = confirm_form()
    if form.validate_on_submit():
        with service_errors():
            frameworks.transition(current_user, framework.id, FrameworkStatus.AWARDED)
            flash("The framework is awarded; its contracts are issued.", "success")
            return redirect(url_for("contracts.framework_contracts", framework_id=framework.id))
    return render_form("contracts/award_framework.html", form, framework=framework,
                       letters=standstill.progress(framework.id))


@bp.get("/frameworks/<int:framework_id>/contracts")
@role_required(Role.ADMIN, Role.SUPPLIER, Role.OFFICER)
def framework_contracts(framework_id: int):
    """The framework's contracts one may see, with progress while they are rendered."""
    framework = frameworks.get(framework_id)
    items = contracts.list_for(current_user, framework.id)
    rendered, total = contracts.progress(framework.id)
    return render_template("contracts/contracts.html", framework=framework, items=items, rendered=rendered,
                           total=total, names=contracts.party_names(items))


@bp.get("/contracts/<int:contract_id>")
@role_required(Role.ADMIN, Role.SUPPLIER, Role.OFFICER)
def contract(contract_id: int):
    """One contract: its terms, its versions, and the signature it waits for."""
    return _contract_page(contract_id, SignForm(), confirm_form())


def _contract_page(contract_id: int, sign_form: SignForm, confirm: ConfirmForm):
    item = contracts.get_for(current_user, contract_id)
    status = 422 if sign_form.errors or confirm.errors else 200
    return render_template("contracts/contract.html", contract=item, sign_form=sign_form, confirm=confirm,
                           framework=frameworks.get(item.framework_id)), status


@bp.post("/contracts/<int:contract_id>/sign")
@role_required(Role.SUPPLIER)
def sign(contract_id: int):
    """The supplier signs."""
    form = SignForm()
    if form.validate_on_submit():
        with service_errors() as refused, service_errors(form, catch=ValidationFailed):
            contracts.sign(current_user, contract_id, form.name.data, form.position.data, request.remote_addr)
            flash("Signed. The consortium countersigns next; the signed version is below.", "success")
            return redirect(url_for("contracts.contract", contract_id=contract_id))
        if refused.failed:
            return redirect(url_for("contracts.contract", contract_id=contract_id))
    return _contract_page(contract_id, form, confirm_form())


@bp.post("/contracts/<int:contract_id>/countersign")
@role_required(Role.ADMIN)
def countersign(contract_id: int):
    """The admin countersigns."""
    form = confirm_form()
    if form.validate_on_submit():
        with service_errors():
            contracts.countersign(current_user, contract_id, request.remote_addr)
            flash("Countersigned: the contract is complete.", "success")
        return redirect(url_for("contracts.contract", contract_id=contract_id))
    return _contract_page(contract_id, SignForm(), form)


@bp.get("/contracts/<int:contract_id>/pdf")
@role_required(Role.ADMIN, Role.SUPPLIER, Role.OFFICER)
def contract_pdf(contract_id: int):
    """A version of the contract's PDF (the current one by default)."""
    found = contracts.pdf_of(current_user, contract_id, request.args.get("version", type=int))
    return pdf.response(found.pdf, f"{found.contract.reference.replace('/', '-')}-v{found.number}.pdf")
