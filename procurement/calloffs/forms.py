"""Forms of call-offs and mini-competitions."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.datefields import LondonDeadlineField
from app.formfields import FiniteDecimalField
from app.forms import ConfirmForm


class CallOffForm(FlaskForm):
    lot_id = SelectField("Lot", coerce=int, validators=[InputRequired("Choose the lot to call off from.")])
    value = FiniteDecimalField("Value of the order (£)", places=2, validators=[
        InputRequired("Enter the value of the order."), NumberRange(0.01, None, "Enter a value above £0.00.")])
    description = TextAreaField("What you are ordering", validators=[DataRequired("Say what you are ordering."),
                                                                     Length(max=5_000)])
    confirm = BooleanField("I confirm this order is a contract with the supplier under the framework",
                           validators=[DataRequired("Tick the box to confirm the order.")])
    submit = SubmitField("Place the call-off")


class MiniCompetitionForm(FlaskForm):
    lot_id = SelectField("Lot", coerce=int, validators=[InputRequired("Choose the lot.")])
    request = TextAreaField("What you need", validators=[DataRequired("Say what you need."), Length(max=10_000)])
    maximum_value = FiniteDecimalField("Most you will pay (£)", places=2, validators=[
        InputRequired("Enter the most you will pay."), NumberRange(0.01, None, "Enter a value above £0.00.")])
    deadline = LondonDeadlineField("Answers by", validators=[
        InputRequired("Enter the date and time answers are due by.")])
    submit = SubmitField("Ask the lot's suppliers")


class AnswerForm(FlaskForm):
    price = FiniteDecimalField("Your price (£)", places=2, validators=[
        InputRequired("Enter your price."), NumberRange(0.01, None, "Enter a price above £0.00.")])
    answer = TextAreaField("How you would meet the request",
                           validators=[DataRequired("Say how you would meet the request."), Length(max=10_000)])
    submit = SubmitField("Send my answer")


class ScoreAnswerForm(FlaskForm):
    answer_id = HiddenField()
    score = FiniteDecimalField("Score out of 100", places=2, validators=[
        InputRequired("Enter a score."), NumberRange(0, 100, "Enter a score from 0 to 100.")])
    reason = TextAreaField("Reason", validators=[DataRequired("Give the reason for the score."), Length(max=5_000)])
    submit = SubmitField("Save the score")


def confirm_award_form() -> ConfirmForm:
    """The box to tick before a mini-competition is awarded."""
    return ConfirmForm(label="I confirm the award: it places the call-off with the best-scoring supplier",
                       message="Tick the box to confirm the award.", submit="Award the mini-competition")
