"""Form fields the packages share."""
from wtforms import DecimalField


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN and infinity, which Decimal parses but no rule can compare."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError("Enter a number, like 1250.00.")
