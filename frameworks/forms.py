"""Forms for frameworks, lots, transitions and questions."""
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.datefields import LondonDeadlineField
from app.formfields import FiniteDecimalField

# The most a framework or lot may be worth, as in the API (frameworks.schemas.MoneyIn): the columns hold 14 digits.
MAX_MONEY = Decimal("100000000000")
_AT_MOST_MAX_MONEY = NumberRange(max=MAX_MONEY, message=f"Enter at most £{MAX_MONEY:,}.")

FORMULAS = [SelectChoice("relative", "Relative: lowest price ÷ price × weight"),
            SelectChoice("linear", "Linear: 1 − (price − lowest) ÷ lowest, at least 0, × weight"),
            SelectChoice("absolute", "Absolute: 1 − price ÷ budget, at least 0, × weight")]


class FrameworkForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the framework a title."), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=10_000)])
    maximum_value = FiniteDecimalField("Maximum value (£)", places=2, validators=[
        InputRequired("Enter the framework's maximum value."), NumberRange(min=0.01, message="Enter more than £0."),
        _AT_MOST_MAX_MONEY])
    question_deadline = LondonDeadlineField("Question deadline", validators=[
        InputRequired("Enter the question deadline.")])
    bid_deadline = LondonDeadlineField("Bid deadline", validators=[
        InputRequired("Enter the bid deadline.")])
    duration_months = IntegerField("Duration (months)", default=36, validators=[
        InputRequired("Enter the duration."), NumberRange(1, 48, "A framework lasts 1 to 48 months.")])
    max_lots_per_supplier = IntegerField("Most lots one supplier may win", validators=[
        Optional(), NumberRange(1, 1000, "Enter 1 or more, or leave it empty for no limit.")],
        description="Leave empty for no limit.")
    min_sme_share = FiniteDecimalField("Minimum SME share of awarded value (%)", places=2, default=0, validators=[
        InputRequired("Enter the minimum SME share, or 0."), NumberRange(0, 100, "Enter a percentage from 0 to 100.")])
    standstill_working_days = IntegerField("Standstill (working days)", default=8, validators=[
        InputRequired("Enter the standstill period."), NumberRange(0, 60, "Enter 0 to 60 working days.")],
        description="8 under the Procurement Act 2023; 0 only below the threshold.")
    levy_percent = FiniteDecimalField("Levy on call-offs (%)", places=2, default=1, validators=[
        InputRequired("Enter the levy, or 0."), NumberRange(0, 100, "Enter a percentage from 0 to 100.")])
    price_hidden_from_evaluators = BooleanField("Hide prices from quality evaluators", default=True,
                                                description="So that price cannot colour a quality score.")
    submit = SubmitField("Create framework")


class CriterionForm(Form):
    name = StringField("Criterion", validators=[Length(max=200)])
    weight = IntegerField("Weight", validators=[Optional(), NumberRange(1, 100, "Weights are 1 to 100.")])
    max_score = IntegerField("Maximum score", default=10, validators=[
        Optional(), NumberRange(1, 100, "Maximum scores are 1 to 100.")])
    guidance = TextAreaField("Guidance for bidders", validators=[Length(max=10_000)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LotForm(FlaskForm):
    title = StringField("Lot title", validators=[DataRequired("Give the lot a title."), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=10_000)])
    requirement_ids = MultiCheckboxField("Requirements to pool", coerce=int, validate_choice=False)
    max_awards = IntegerField("Most suppliers to award", default=1, validators=[
        InputRequired("Enter how many suppliers may win."), NumberRange(1, 100, "Enter 1 to 100.")])
    budget = FiniteDecimalField("Budget (£)", places=2, validators=[
        InputRequired("Enter the lot's budget."), NumberRange(min=0.01, message="Enter more than £0."),
        _AT_MOST_MAX_MONEY])
    price_weight = IntegerField("Price weight", default=40, validators=[
        InputRequired("Enter the price weight."), NumberRange(0, 100, "Enter 0 to 100.")])
    price_formula = SelectField("Price formula", choices=FORMULAS)
    criteria = FieldList(FormField(CriterionForm), min_entries=4, max_entries=20)
    submit = SubmitField("Add lot")


class TransitionForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Confirm")


class QuestionForm(FlaskForm):
    text = TextAreaField("Your question", validators=[
        DataRequired("Write your question."), Length(max=4000, message="Keep it to 4000 characters.")],
        description="Questions and answers are published to every bidder without your name.")
    submit = SubmitField("Send question")


class AnswerForm(FlaskForm):
    answer = TextAreaField("Answer", validators=[
        DataRequired("Write the answer."), Length(max=4000, message="Keep it to 4000 characters.")])
    submit = SubmitField("Publish answer")


class JoinLotForm(FlaskForm):
    requirement_id = SelectField("Your requirement", coerce=int, validate_choice=False,
                                 validators=[DataRequired("Choose one of your open requirements.")])
    submit = SubmitField("Join this lot")
