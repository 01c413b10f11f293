"""The shell's one form for a button that changes something: its CSRF token and, when asked, a box to tick."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired


class ConfirmForm(FlaskForm):
    """Only the CSRF token by default; with a `label`, also a box that must be ticked (`message` when it is not).

    `submit` is the button's text, for the pages that render the form's own button.
    """

    confirm = BooleanField(validators=[DataRequired()])
    submit = SubmitField("Confirm")

    def __init__(self, *args, label: str | None = None, message: str = "Tick the box to confirm.",
                 submit: str = "Confirm", **kwargs):
        super().__init__(*args, **kwargs)
        if label is None:
            del self.confirm
        else:
            self.confirm.label.text = label
            self.confirm.validators = [DataRequired(message)]
        self.submit.label.text = submit
