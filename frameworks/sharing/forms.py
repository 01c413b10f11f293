"""Forms of the data-sharing agreement: an officer's acceptance, an admin's new version."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.datefields import DateInputField


class AcceptForm(FlaskForm):
    name = StringField("Your full name", validators=[DataRequired("Give your full name."), Length(max=200)],
                       description="You accept on behalf of your authority, in your own name.")
    position = StringField("Your position", validators=[DataRequired("Give your position."), Length(max=200)])
    confirm = BooleanField("I have read this version and accept it on behalf of my authority",
                           validators=[DataRequired("Tick the box to accept.")])
    submit = SubmitField("Accept the agreement")


class AgreementForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the agreement a title."), Length(max=200)])
    purpose = TextAreaField("Purpose", validators=[DataRequired("Say what the sharing is for.")])
    data_shared = TextAreaField("Data shared", validators=[DataRequired("Say which data is shared.")])
    lawful_basis = TextAreaField("Lawful basis", validators=[DataRequired("Give the lawful basis.")])
    recipients = TextAreaField("Who may see it", validators=[DataRequired("Say who may see the data.")])
    text = TextAreaField("Full text", validators=[DataRequired("Give the agreement's text.")])
    review_on = DateInputField("Review date", validators=[InputRequired("Enter the date it will be reviewed.")])
    submit = SubmitField("Publish this version")
