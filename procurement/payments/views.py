"""Pages of levies and memberships: a supplier sees and pays its levies, an admin sees them all with totals by
framework and month (and as CSV); an authority's membership."""
from decimal import Decimal

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.access import role_required
from app.csvfiles import csv_response
from app.domain.roles import Role
from app.webforms import page_of, render_form, service_errors
from frameworks import services as frameworks
from procurement.calloffs import services as calloffs
from procurement.evaluation import services as evaluation
from procurement.payments import services as payments
from procurement.payments.forms import MembershipForm, PayForm

bp = Blueprint("payments", __name__, template_folder="templates", static_folder="static")

@bp.get("/levies")
@role_required(Role.SUPPLIER, Role.ADMIN)
def levies():
    """A supplier's levies with a way to pay them; for an admin, all of them with totals."""
    page = page_of(calloffs.levies_query(current_user), per_page=50)
    totals = calloffs.totals() if current_user.role == Role.ADMIN else []
    framework_names = frameworks.references({t.framework_id for t in totals} |
                                            {levy.framework_id for levy in page.items})
    return render_template("payments/levies.html", page=page, totals=totals, pay=PayForm(),
                           framework_names=framework_names, names=_supplier_names(page.items),
                           test_mode=payments.test_mode(),
                           publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"))


def _supplier_names(items) -> dict[int, str]:
    return evaluation.supplier_names({levy.supplier_id for levy in items})


@bp.get("/levies.csv")
@role_required(Role.SUPPLIER, Role.ADMIN)
def levies_csv():
    """The levies one may see, as CSV."""
    items = calloffs.levies_for(current_user)
    names = _supplier_names(items)
    header = ["levy", "supplier", "framework", "call-off", "amount", "status", "created", "paid"]
    return csv_response("levies.csv", header, (
        [levy.id, names.get(levy.supplier_id, ""), levy.framework_id, levy.call_off_id, f"{levy.amount:.2f}",
         levy.status, levy.created_at.isoformat(), levy.paid_at.isoformat() if levy.paid_at else ""]
        for levy in items))


@bp.route("/levies/<int:levy_id>/pay", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def pay(levy_id: int):
    """Pay a levy: Stripe's Payment Element with a publishable key; in test mode without one, Stripe's test card."""
    levy = calloffs.levy_for(current_user, levy_id)
    publishable = current_app.config.get("STRIPE_PUBLISHABLE_KEY")
    form = PayForm()
    if request.method == "POST" and form.validate_on_submit():
        with service_errors():
            status = payments.pay_with_test_card(current_user, levy.id)
            flash("Payment sent to Stripe" + (" and accepted" if status == "succeeded" else f" ({status})") +
                  ". The levy shows as paid as soon as Stripe confirms it.", "success")
        return redirect(url_for("payments.levies"))
    intent = None
    if publishable and levy.status != "paid":
        with service_errors() as refused:
            intent = payments.payment_intent(current_user, levy.id)
        if refused.failed:
            return redirect(url_for("payments.levies"))
    return render_template("payments/pay.html", levy=levy, form=form, intent=intent, publishable=publishable,
                           test_mode=payments.test_mode(), amount=Decimal(levy.amount))


@bp.route("/membership", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def membership():
    """An authority's annual membership: its state, or starting it."""
    form = MembershipForm()
    if form.validate_on_submit():
        with service_errors(form):
            payments.start_membership(current_user)
            flash("Membership started. Stripe sends the invoice after the 30-day grace period.", "success")
            return redirect(url_for("payments.membership"))
    held = payments.membership_of(current_user.organisation_id)
    return render_form("payments/membership.html", form, held=held,
                       fee=Decimal(current_app.config.get("MEMBERSHIP_FEE_PENCE") or 0) / 100)
