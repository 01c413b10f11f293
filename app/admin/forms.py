"""Forms for administrators."""
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from app.domain.roles import Role


class InvitationForm(FlaskForm):
    email = EmailField("E-mail address", validators=[
        DataRequired("Enter the e-mail address to invite."),
        Email("Enter an e-mail address in the right format, like name@example.org."),
        Length(max=254, message="Use an e-mail address of at most 254 characters.")])
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in Role],
                       validators=[DataRequired("Choose a role.")])
    organisation_id = SelectField("Organisation", coerce=int, validate_choice=False,
                                  validators=[DataRequired("Choose the organisation they will belong to.")])
    submit = SubmitField("Send invitation")


class DomainsForm(FlaskForm):
    domains = TextAreaField("E-mail domains officers may sign up from",
                            description="One per line, like camden.gov.uk. Leave empty to allow invitations only.",
                            validators=[Length(max=4000, message="Use at most 4000 characters.")])
    submit = SubmitField("Save domains")
