"""Forms for signing in (with a second factor too), signing up, accepting an invitation, and changing or resetting a
password."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.domain.identity import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

_EMAIL = [DataRequired("Enter your e-mail address."),
          Email("Enter an e-mail address in the right format, like name@example.org."),
          Length(max=254, message="Use an e-mail address of at most 254 characters.")]
_NEW_PASSWORD = [
    DataRequired("Choose a password."),
    Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH,
           message=f"Use a password of {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters."),
]
_CONFIRM = [DataRequired("Type your password again."), EqualTo("password", "The two passwords do not match.")]
_NAME = [DataRequired("Enter your full name."), Length(max=200, message="Use at most 200 characters.")]


class SignInForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired("Enter your e-mail address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    submit = SubmitField("Sign in")


class SupplierSignUpForm(FlaskForm):
    company_name = StringField("Company name", validators=[
        DataRequired("Enter your company's registered name."), Length(max=200, message="Use at most 200 characters.")])
    companies_house_number = StringField("Companies House number", validators=[
        DataRequired("Enter your Companies House number."), Length(max=12, message="Use at most 12 characters.")])
    sme = BooleanField("We are a small or medium-sized enterprise (fewer than 250 staff, and turnover up to "
                       "£44 million or balance sheet up to £38 million)")
    name = StringField("Your full name", validators=_NAME)
    email = EmailField("Your work e-mail address", validators=_EMAIL)
    password = PasswordField("Password", validators=_NEW_PASSWORD)
    confirm = PasswordField("Confirm password", validators=_CONFIRM)
    submit = SubmitField("Register company")


class OfficerSignUpForm(FlaskForm):
    authority_id = SelectField("Your authority", coerce=int, validate_choice=False,
                               validators=[DataRequired("Choose your authority.")])
    name = StringField("Your full name", validators=_NAME)
    email = EmailField("Your work e-mail address", validators=_EMAIL)
    password = PasswordField("Password", validators=_NEW_PASSWORD)
    confirm = PasswordField("Confirm password", validators=_CONFIRM)
    submit = SubmitField("Create account")


class AcceptInvitationForm(FlaskForm):
    name = StringField("Your full name", validators=_NAME)
    password = PasswordField("Password", validators=_NEW_PASSWORD)
    confirm = PasswordField("Confirm password", validators=_CONFIRM)
    submit = SubmitField("Create account")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    new_password = PasswordField("New password", validators=_NEW_PASSWORD)
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Type your new password again."), EqualTo("new_password", "The two passwords do not match.")])
    submit = SubmitField("Change password")


def _trimmed(value: str | None) -> str | None:
    return value.strip() if value else value


class ForgottenPasswordForm(FlaskForm):
    # Trimmed, as sign-in ignores the space around an address, so one pasted with it is still found.
    email = EmailField("E-mail address", validators=_EMAIL, filters=[_trimmed])
    submit = SubmitField("Send me a link")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=_NEW_PASSWORD)
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Type your new password again."), EqualTo("password", "The two passwords do not match.")])
    submit = SubmitField("Set the new password")


class TwoFactorCodeForm(FlaskForm):
    code = StringField("Code", description="The 6-digit code your authenticator app shows now.", validators=[
        DataRequired("Enter the code from your authenticator app."),
        Length(max=32, message="Enter the 6-digit code, or a recovery code like ABCDE-FGHJK.")])
    submit = SubmitField("Continue")
