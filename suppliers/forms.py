"""Forms for supplier profiles, declarations, bids and their documents."""
import math
from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.formfields import FiniteDecimalField
from suppliers.domain import bidding, exclusion

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


def price_field(name: str) -> str:
    return f"lot_{name}_price"


def bundle_rows(framework) -> int:
    """As many bundle rows as there can be different bundles (sets of two or more lots a supplier may win), up to
    BUNDLE_ROWS: none with one lot, one with two lots."""
    lots = len(framework.lots)
    largest = min(lots, framework.max_lots_per_supplier or lots)
    return min(BUNDLE_ROWS, sum(math.comb(lots, size) for size in range(2, largest + 1)))


def bid_form(framework, bid=None, formdata=None):
    """A form for the whole bid: a price and answers per lot, and a bundle row for each bundle there can be."""
    fields: dict = {}
    lot_choices = [SelectChoice(str(lot.id), f"Lot {lot.number}: {lot.title}") for lot in framework.lots]
    for lot in framework.lots:
        fields[f"lot_{lot.id}_include"] = BooleanField(f"Bid for lot {lot.number}: {lot.title}")
        fields[f"lot_{lot.id}_price"] = FiniteDecimalField(
            f"Price for lot {lot.number}, for its whole pooled demand (£)", places=2,
            validators=[Optional(), _PRICE_RANGE])
        for criterion in lot.criteria:
            fields[f"lot_{lot.id}_answer_{criterion.id}"] = TextAreaField(
                criterion.name, validators=[Length(max=50_000)],
                description=f"At most {criterion.word_limit} words. {criterion.guidance or ''}".strip(),
                render_kw={"data-word-limit": criterion.word_limit})
    rows = bundle_rows(framework)
    for row in range(rows):
        fields[f"bundle_{row}_lots"] = SelectMultipleField(
            f"Bundle {row + 1}: lots", choices=lot_choices, validators=[Optional()],
            widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
        fields[f"bundle_{row}_price"] = FiniteDecimalField(
            f"Bundle {row + 1}: one price for all its lots (£)", places=2, validators=[Optional(), _PRICE_RANGE])
    fields["save"] = SubmitField("Save draft")
    form_class = type("BidForm", (FlaskForm,), fields | {"bundle_rows": rows})
    return form_class(formdata=formdata, data=_bid_data(bid))


def _bid_data(bid) -> dict:
    if bid is None:
        return {}
    data: dict = {}
    for offer in bid.lots:
        data[f"lot_{offer.lot_id}_include"] = True
        data[f"lot_{offer.lot_id}_price"] = offer.price
        for answer in offer.answers:
            data[f"lot_{offer.lot_id}_answer_{answer.criterion_id}"] = answer.text
    for row, bundle in enumerate(bid.bundles[:bundle_rows(bid.framework)]):
        data[f"bundle_{row}_lots"] = [str(x.lot_id) for x in bundle.lots]
        data[f"bundle_{row}_price"] = bundle.price
    return data


def bid_content(form, framework) -> tuple[list[bidding.LotOffer], list[bidding.Bundle], dict[str, str]]:
    """The offers and bundles the form holds, and where each of the rules' field names is on the form."""
    offers, bundles, places = [], [], {}
    for lot in framework.lots:
        price = form[f"lot_{lot.id}_price"].data
        if not form[f"lot_{lot.id}_include"].data:
            continue
        i = len(offers)
        answers = {c.id: form[f"lot_{lot.id}_answer_{c.id}"].data or "" for c in lot.criteria
                   if (form[f"lot_{lot.id}_answer_{c.id}"].data or "").strip()}
        offers.append(bidding.LotOffer(lot.id, price if price is not None else Decimal(0), answers))
        places[f"lots.{i}.price"] = f"lot_{lot.id}_price"
        places[f"lots.{i}.lot_id"] = f"lot_{lot.id}_include"
        for c in lot.criteria:
            places[f"lots.{i}.answers.{c.id}"] = f"lot_{lot.id}_answer_{c.id}"
    for row in range(form.bundle_rows):
        lot_ids = [int(x) for x in form[f"bundle_{row}_lots"].data or []]
        price = form[f"bundle_{row}_price"].data
        if not lot_ids and price is None:
            continue
        i = len(bundles)
        bundles.append(bidding.Bundle(tuple(lot_ids), price if price is not None else Decimal(0)))
        places[f"bundles.{i}.lot_ids"] = f"bundle_{row}_lots"
        places[f"bundles.{i}.price"] = f"bundle_{row}_price"
    return offers, bundles, places


class UploadForm(FlaskForm):
    file = FileField("Document", validators=[FileRequired("Choose a file to upload.")],
                     description="PDF, OpenDocument, Word (DOCX), Excel (XLSX) or an image; at most 20 MB.")
    upload = SubmitField("Upload")

