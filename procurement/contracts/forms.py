"""Forms of contracts: sign."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class SignForm(FlaskForm):
    name = StringField("Your full name", validators=[DataRequired("Give your name."), Length(max=200)])
    position = StringField("Your position in the company",
                           validators=[DataRequired("Give your position."), Length(max=200)])
    confirm = BooleanField("I am authorised to sign this contract for the supplier",
                           validators=[DataRequired("Tick the box to confirm you are authorised.")])
    submit = SubmitField("Sign the contract")
