"""Forms of the board: confirm an irreversible step, declare and vote."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.forms import ConfirmForm

CANNOT_BE_UNDONE = "I understand this cannot be undone"


def confirm_form() -> ConfirmForm:
    """The box to tick before an irreversible step: recommending to the board, awarding, countersigning."""
    return ConfirmForm(label=CANNOT_BE_UNDONE)


class BoardDeclarationForm(FlaskForm):
    conflict = RadioField("Do you have a conflict of interest with any of the winning suppliers?",
                          choices=[SelectChoice("no", "No"), SelectChoice("yes", "Yes")],
                          validators=[InputRequired("Say whether you have a conflict of interest.")])
    details = TextAreaField("If yes: which supplier, and your connection with it", validators=[Length(max=20_000)])
    submit = SubmitField("Make the declaration")


class VoteForm(FlaskForm):
    decision = RadioField("Your vote", choices=[SelectChoice("approve", "Approve the recommendation"),
                                                SelectChoice("reject", "Reject it (give the reasons)"),
                                                SelectChoice("abstain", "Abstain")],
                          validators=[InputRequired("Choose approve, reject or abstain.")])
    comment = TextAreaField("Comment", validators=[Length(max=5_000)])
    submit = SubmitField("Cast my vote (final)")
