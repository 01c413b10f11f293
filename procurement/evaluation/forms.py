"""Forms of evaluation: the panel, declarations, scores, moderation."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from app.formfields import FiniteDecimalField


class PanelForm(FlaskForm):
    user_ids = SelectMultipleField("Evaluators on this lot's panel", coerce=int, validate_choice=False,
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    submit = SubmitField("Save the panel")


class DeclarationForm(FlaskForm):
    conflict = RadioField("Do you have a conflict of interest with any of these bidders?",
                          choices=[SelectChoice("no", "No"), SelectChoice("yes", "Yes")],
                          validators=[InputRequired("Say whether you have a conflict of interest.")])
    details = TextAreaField("If yes: which bidder, and your connection with it", validators=[Length(max=20_000)])
    submit = SubmitField("Make the declaration")


class ScoreForm(FlaskForm):
    """One answer's score; the page's two buttons ("Save and next", "Save and return to the list") say where next."""

    score = FiniteDecimalField("Score", places=2, validators=[InputRequired("Enter a score."),
                                                              NumberRange(0, 1000, "Enter a score of 0 or more.")])
    rationale = TextAreaField("Rationale", validators=[DataRequired("Give the reason for this score."),
                                                       Length(max=20_000)])


class ModerateForm(FlaskForm):
    answer = HiddenField()
    score = FiniteDecimalField("Moderated score", places=2, validators=[
        InputRequired("Enter the moderated score."), NumberRange(0, 1000, "Enter a score of 0 or more.")])
    reason = TextAreaField("Reason", validators=[DataRequired("Give the reason for the moderated score."),
                                                 Length(max=20_000)])
    submit = SubmitField("Moderate")
