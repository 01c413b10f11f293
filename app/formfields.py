"""Form fields the packages share."""
from decimal import Decimal

from wtforms import DecimalField


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN and infinity, which Decimal parses but no rule can compare, and digits other
    than 0 to 9 (Decimal reads fullwidth or Arabic-Indic digits, which nobody meant to type as a price)."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] and not str(valuelist[0]).isascii():
            self.data = None
            raise ValueError("Write the number in the digits 0 to 9, like 1250.00.")
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError("Enter a number, like 1250.00.")
