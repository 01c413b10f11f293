"""Forms of the data-protection pages."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


class PostalRequestForm(FlaskForm):
    reference = StringField("The request's reference", validators=[
        DataRequired("Give the reference of the letter, so the log says which request this answered."),
        Length(max=200)])
    format = SelectField("Produce", choices=[SelectChoice("pdf", "A readable PDF"),
                                             SelectChoice("json", "A JSON file")])
    submit = SubmitField("Produce their data")
