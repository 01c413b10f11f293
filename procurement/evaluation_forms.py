"""Forms for evaluation: the panel, the conflict declaration, a score, a moderated score."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
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
    answer = HiddenField()
    score = FiniteDecimalField("Score", places=2, validators=[InputRequired("Enter a score."),
                                                              NumberRange(0, 1000, "Enter a score of 0 or more.")])
    rationale = TextAreaField("Rationale", validators=[DataRequired("Give the reason for this score."),
                                                       Length(max=20_000)])
    submit = SubmitField("Save score")


class ModerateForm(FlaskForm):
    answer = HiddenField()
    score = FiniteDecimalField("Moderated score", places=2, validators=[
        InputRequired("Enter the moderated score."), NumberRange(0, 1000, "Enter a score of 0 or more.")])
    reason = TextAreaField("Reason", validators=[DataRequired("Give the reason for the moderated score."),
                                                 Length(max=20_000)])
    submit = SubmitField("Moderate")


class AwardRunForm(FlaskForm):
    exclude_supplier_ids = SelectMultipleField("Leave out these suppliers (a what-if)", coerce=int,
                                               validate_choice=False, widget=ListWidget(prefix_label=False),
                                               option_widget=CheckboxInput())
    max_lots_per_supplier = IntegerField("Lot limit per supplier for this run (leave empty for the framework's)",
                                         validators=[Optional(), NumberRange(1, 1000, "Enter 1 or more.")])
    time_limit = IntegerField("Time limit (seconds)", default=30,
                              validators=[InputRequired("Enter a time limit."), NumberRange(1, 600, "1 to 600.")])
    submit = SubmitField("Run the award")
