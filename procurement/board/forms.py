"""Forms of the board: declare and vote."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length


class ConfirmForm(FlaskForm):
    confirm = BooleanField("I understand this cannot be undone",
                           validators=[DataRequired("Tick the box to confirm.")])
    submit = SubmitField("Confirm")


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
