"""Forms for requirements."""
import json

from flask_wtf import FlaskForm
from wtforms import Form, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.datefields import DateInputField
from app.formfields import FiniteDecimalField
from frameworks.domain.taxonomy import CATEGORIES


def _units() -> list[SelectChoice]:
    """Each category's units, grouped under its name: without scripts the list shows which units suit which
    category; with them (consort.js) only the chosen category's group is offered."""
    return [SelectChoice(u, u, optgroup=c.name) for c in CATEGORIES.values() for u in c.units]


UNIT_GROUPS = json.dumps({c.key: c.name for c in CATEGORIES.values()})


class RequirementForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the requirement a title."), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=10_000)])
    category = SelectField("Category", choices=[SelectChoice(c.key, f"{c.name} (CPV {c.cpv})")
                                                for c in CATEGORIES.values()])
    quantity = FiniteDecimalField("Quantity", places=2, validators=[
        InputRequired("Enter the quantity."), NumberRange(min=0.01, message="Enter a quantity above 0.")])
    unit = SelectField("Unit", choices=_units(), description="The unit must suit the category.",
                       render_kw={"data-unit-groups": UNIT_GROUPS, "data-category-field": "category"})
    estimated_unit_price = FiniteDecimalField("Estimated unit price (£)", places=2, validators=[
        InputRequired("Enter your estimate of the unit price."), NumberRange(min=0, message="Enter £0 or more.")])
    needed_by = DateInputField("Needed by", validators=[InputRequired("Enter the date it is needed by.")])
    submit = SubmitField("Save requirement")


class RequirementFilterForm(Form):
    """The list's filters, read from the query string: either date may be left empty."""

    needed_from = DateInputField("Needed from")
    needed_to = DateInputField("Needed to")
