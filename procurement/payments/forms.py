"""Forms of levies and memberships."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired


class PayForm(FlaskForm):
    submit = SubmitField("Pay")


class MembershipForm(FlaskForm):
    confirm = BooleanField("I confirm my authority joins the consortium for a year, invoiced through Stripe",
                           validators=[DataRequired("Tick the box to confirm the membership.")])
    submit = SubmitField("Start the membership")
