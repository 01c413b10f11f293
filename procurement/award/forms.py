"""Forms of award runs."""
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class AwardRunForm(FlaskForm):
    exclude_supplier_ids = SelectMultipleField("Leave out these suppliers (a what-if)", coerce=int,
                                               validate_choice=False, widget=ListWidget(prefix_label=False),
                                               option_widget=CheckboxInput())
    max_lots_per_supplier = IntegerField("Lot limit per supplier for this run (leave empty for the framework's)",
                                         validators=[Optional(), NumberRange(1, 1000, "Enter 1 or more.")])
    time_limit = IntegerField("Time limit (seconds)", default=30,
                              validators=[InputRequired("Enter a time limit."), NumberRange(1, 600, "1 to 600.")])
    submit = SubmitField("Run the award")
