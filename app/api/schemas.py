"""Shapes shared by several packages' APIs, and the value types of their answers.

Money is a decimal string in GBP with its pence ("650.00"); other decimals keep the digits they are stored with
("0.2500"); times are ISO 8601 with their offset ("2026-05-01T09:30:00+00:00"). Each type's JSON Schema is that of
the JSON it serialises to, so the OpenAPI document says what the answers hold.
"""
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, PlainSerializer, WithJsonSchema


def fixed(places: int):
    """A decimal served as a string with exactly `places` decimal places."""
    return Annotated[Decimal, PlainSerializer(lambda value: f"{value:.{places}f}", return_type=str),
                     WithJsonSchema({"type": "string"})]


Money = fixed(2)
# A decimal served with the digits it has (a quantity or a share as stored: "200.00", "0.2500").
DecimalText = Annotated[Decimal, PlainSerializer(str, return_type=str), WithJsonSchema({"type": "string"})]
Time = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str),
                 WithJsonSchema({"type": "string", "format": "date-time"})]


class Overlay:
    """An object whose attributes a response model reads, with some of them given here instead: what the model
    needs beside the record's own columns (a computed status, a related record, a total)."""

    def __init__(self, record, **values):
        self._record = record
        self.__dict__.update(values)

    def __getattr__(self, name: str):
        return getattr(self._record, name)


class Serialised(dict):
    """An answer already in its JSON form, checked against its model when it was made: served as it is."""


class OrganisationOut(BaseModel):
    id: int
    name: str
    kind: str
    sme: bool


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    organisation: OrganisationOut
