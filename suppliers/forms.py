"""Forms for supplier profiles, declarations, bids and their documents."""
from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.formfields import FiniteDecimalField
from suppliers.domain import bid_tasks, bidding, exclusion

MAX_PRICE = Decimal("100000000000")
BUNDLE_ROWS = 3
_PRICE_RANGE = NumberRange(min=Decimal("0.01"), max=MAX_PRICE, message=f"Enter a price from £0.01 to £{MAX_PRICE:,}.")


class ProfileForm(FlaskForm):
    companies_house_number = StringField("Companies House number", validators=[Optional(), Length(max=20)],
                                         description="8 digits, or 2 letters and 6 digits, like 01234567.")
    ppon = StringField("PPON", validators=[Optional(), Length(max=20)],
                       description="Your Public Procurement Organisation Number from the Central Digital Platform, "
                                   "like PABC-1234-DEFG.")
    sme = BooleanField("We are a small or medium-sized enterprise (fewer than 250 staff, and turnover up to "
                       "£44 million or balance sheet up to £38 million)")
    registered_address = TextAreaField("Registered address", validators=[Length(max=1000)])
    website = StringField("Website", validators=[Length(max=200)])
    contact_name = StringField("Contact for tenders", validators=[Length(max=120)])
    contact_email = StringField("Contact e-mail", validators=[Optional(), Email("Enter an e-mail address, like "
                                                                                "bids@example.com."),
                                                              Length(max=254)])
    contact_phone = StringField("Contact telephone", validators=[Length(max=40)])
    submit = SubmitField("Save the profile")


def ground_field(code: str) -> str:
    return "ground_" + code.replace("-", "_")


def declaration_form(record=None) -> FlaskForm:
    """A form with one yes/no question per exclusion ground, filled from the current declaration."""
    fields = {ground_field(g.code): RadioField(g.text, choices=[SelectChoice("no", "No"), SelectChoice("yes", "Yes")],
                                               validators=[Optional()])
              for g in exclusion.GROUNDS}
    fields["details"] = TextAreaField(
        "If any ground applies: the circumstances, with dates", validators=[Length(max=20_000)])
    fields["self_cleaning"] = TextAreaField(
        "If a mandatory ground applies: what you have done so that it will not happen again",
        validators=[Length(max=20_000)],
        description="Compensation paid, co-operation with investigators, changes of staff, structure or controls.")
    fields["submit"] = SubmitField("Make this declaration")
    form_class = type("DeclarationForm", (FlaskForm,), fields)
    data = {}
    if record is not None:
        data = {ground_field(code): ("yes" if applies else "no") for code, applies in record.answers.items()}
        data |= {"details": record.details, "self_cleaning": record.self_cleaning}
    return form_class(data=data)


def declaration_answers(form) -> dict[str, bool]:
    """The answers given; a ground left unanswered is left out, so the rules can say so."""
    return {g.code: form[ground_field(g.code)].data == "yes" for g in exclusion.GROUNDS
            if form[ground_field(g.code)].data in ("yes", "no")}


def bundle_rows(framework) -> int:
    """As many bundle rows as there can be different bundles of the framework's lots, up to BUNDLE_ROWS: none with
    one lot, one with two lots."""
    return min(BUNDLE_ROWS, bid_tasks.possible_bundles(len(framework.lots), framework.max_lots_per_supplier))


def lot_form(lot, offer: bidding.LotOffer | None = None, formdata=None):
    """A form for one lot of a bid: its price and an answer to each of its criteria."""
    fields: dict = {"price": FiniteDecimalField(
        f"Price for lot {lot.number}, for its whole pooled demand (£)", places=2,
        validators=[Optional(), _PRICE_RANGE])}
    for criterion in lot.criteria:
        fields[answer_field(criterion.id)] = TextAreaField(
            criterion.name, validators=[Length(max=50_000)], description=criterion.guidance or "")
    fields["save"] = SubmitField("Save and continue")
    data = {}
    if offer is not None:
        data = {"price": offer.price} | {answer_field(c): text for c, text in offer.answers.items()}
    return type("LotForm", (FlaskForm,), fields)(formdata=formdata, data=data)


def answer_field(criterion_id: int) -> str:
    return f"answer_{criterion_id}"


def lot_offer(form, lot) -> bidding.LotOffer:
    """The lot's offer the form holds; a price left empty is £0, which the rules refuse with their reason."""
    price = form.price.data
    answers = {c.id: form[answer_field(c.id)].data for c in lot.criteria
               if (form[answer_field(c.id)].data or "").strip()}
    return bidding.LotOffer(lot.id, price if price is not None else Decimal(0), answers)


def lot_place(name: str) -> str:
    """The lot form's field for one of the rules' names: the lot's offer is `lots.0`; the rest go above the form."""
    if name == "lots.0.price":
        return "price"
    if name.startswith("lots.0.answers."):
        return answer_field(int(name.rsplit(".", 1)[1]))
    return name


def bundles_form(framework, offers, bundles=(), formdata=None):
    """A form of bundle rows: as many as there can be different bundles of the lots the bid prices (up to
    BUNDLE_ROWS, and never fewer than the bid holds), each choosing from those lots."""
    lots = {lot.id: lot for lot in framework.lots}
    priced = sorted((lots[o.lot_id] for o in offers if o.lot_id in lots), key=lambda lot: lot.number)
    choices = [SelectChoice(str(lot.id), f"Lot {lot.number}: {lot.title}") for lot in priced]
    rows = max(len(bundles), min(BUNDLE_ROWS, bid_tasks.possible_bundles(len(priced),
                                                                        framework.max_lots_per_supplier)))
    fields: dict = {}
    for row in range(rows):
        fields[f"bundle_{row}_lots"] = SelectMultipleField(
            f"Bundle {row + 1}: lots", choices=choices, validators=[Optional()],
            widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
        fields[f"bundle_{row}_price"] = FiniteDecimalField(
            f"Bundle {row + 1}: one price for all its lots (£)", places=2, validators=[Optional(), _PRICE_RANGE])
    fields["save"] = SubmitField("Save and continue")
    data: dict = {}
    for row, bundle in enumerate(bundles):
        data[f"bundle_{row}_lots"] = [str(lot_id) for lot_id in bundle.lot_ids]
        data[f"bundle_{row}_price"] = bundle.price
    return type("BundlesForm", (FlaskForm,), fields | {"bundle_rows": rows})(formdata=formdata, data=data)


def bundle_content(form) -> tuple[list[bidding.Bundle], dict[str, str]]:
    """The bundles the form holds (a row left empty is none), and where each of the rules' names is on the form."""
    bundles, places = [], {}
    for row in range(form.bundle_rows):
        lot_ids = [int(x) for x in form[f"bundle_{row}_lots"].data or []]
        price = form[f"bundle_{row}_price"].data
        if not lot_ids and price is None:
            continue
        i = len(bundles)
        bundles.append(bidding.Bundle(tuple(lot_ids), price if price is not None else Decimal(0)))
        places[f"bundles.{i}.lot_ids"] = f"bundle_{row}_lots"
        places[f"bundles.{i}.price"] = f"bundle_{row}_price"
    return bundles, places


class UploadForm(FlaskForm):
    file = FileField("Document", validators=[FileRequired("Choose a file to upload.")],
                     description="PDF, OpenDocument, Word (DOCX), Excel (XLSX) or an image; at most 20 MB.")
    upload = SubmitField("Upload")

