"""Column types shared by every package's models."""
import secrets
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Enum, Numeric, event, select
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database.

    SQLite keeps no offset, so values are stored as naive UTC and given their
    offset back on the way out; a naive value on the way in is refused.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def Money() -> Numeric:  # noqa: N802 - reads as a type in model declarations
    """Money in pounds and pence, never a float."""
    return Numeric(14, 2, asdecimal=True)


def StatusEnum(values: type[StrEnum]) -> Enum:  # noqa: N802 - reads as a type in model declarations
    """A string enum stored as its values in a VARCHAR with a CHECK constraint, the same on every database."""
    return Enum(values, native_enum=False, create_constraint=True, length=20,
                values_callable=lambda members: [m.value for m in members])


def utcnow() -> datetime:
    return datetime.now(UTC)


LONDON = ZoneInfo("Europe/London")


def london_today() -> date:
    """Today's date in London, where the deadlines and 'needed by' dates are meant."""
    return datetime.now(LONDON).date()


def never_changed(model, deleted: bool = False) -> None:
    """Rows of `model` are on the record (a vote, a letter, a contract's version): added, never changed (nor
    deleted, if `deleted`)."""

    def refuse(mapper, connection, target) -> None:
        raise ValueError(f"{type(target).__name__} {target.id} is on the record and cannot be changed.")

    event.listen(model, "before_update", refuse)
    if deleted:
        event.listen(model, "before_delete", refuse)


# Random ids stay below the database's 32-bit integers (and so well below 2^53, which JavaScript keeps exact).
LARGEST_ID = 2**31 - 1


def random_ids(model) -> None:
    """New rows of `model` take a random id instead of the next in sequence, so an id tells nothing of how many came
    before (a supplier's first document must not say that another's is sealed). An id already taken is drawn again,
    inside the inserting transaction."""

    def assign(mapper, connection, target) -> None:
        if target.id is not None:
            return
        table = mapper.local_table
        while True:
            candidate = secrets.randbelow(LARGEST_ID) + 1
            if connection.execute(select(table.c.id).where(table.c.id == candidate)).first() is None:
                target.id = candidate
                return

    event.listen(model, "before_insert", assign)
