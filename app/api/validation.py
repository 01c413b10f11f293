"""Reading JSON bodies and query parameters into validated values."""
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from app.domain.errors import ConsortError, ValidationFailed
from app.types import LARGEST_ID

Model = TypeVar("Model", bound=BaseModel)


def json_body(model: type[Model]) -> Model:
    """The request body as `model`: 400 if it is not a JSON object, 422 if its values are invalid."""
    if not request.is_json:
        raise ConsortError("Send the body as JSON with the header Content-Type: application/json.")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested too deeply for the parser: bad input, not a server error
        data = None
    if not isinstance(data, dict):
        raise ConsortError("The body is not a JSON object. Check its syntax.")
    if _contains_nul(data):
        message = "Text in the body must not contain the NUL character (\\u0000). Remove it and send again."
        raise ValidationFailed(message, {"body": message})
    if problems := _integers_beyond_the_database(data):
        raise ValidationFailed(_summary(problems), problems)
    try:
        value = model.model_validate(data)
    except ValidationError as error:
        fields = field_errors(error)
        raise ValidationFailed(_summary(fields), fields) from None
    if problems := _values_beyond_reason(value, data):
        raise ValidationFailed(_summary(problems), problems)
    return value


# The database keeps whole numbers (ids, counts) as 32-bit integers: a larger one names nothing and counts nothing.
LARGEST_INTEGER = LARGEST_ID


def _integers_beyond_the_database(data, path: str = "") -> dict[str, str]:
    problems: dict[str, str] = {}
    if isinstance(data, bool):
        return problems
    if isinstance(data, int) and abs(data) > LARGEST_INTEGER:
        problems[path or "body"] = f"Must be a whole number from -{LARGEST_INTEGER} to {LARGEST_INTEGER}."
    elif isinstance(data, dict):
        for key, item in data.items():
            problems |= _integers_beyond_the_database(item, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            problems |= _integers_beyond_the_database(item, f"{path}.{index}" if path else str(index))
    return problems


def _values_beyond_reason(value, raw, path: str = "") -> dict[str, str]:
    """What validated but no rule can use: a time that cannot be told in UTC (year 9999 west of Greenwich), a number
    written in digits other than 0 to 9 (Decimal reads fullwidth digits as 0 to 9)."""
    problems: dict[str, str] = {}
    if isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            key = field.alias or name
            inner = raw.get(key) if isinstance(raw, dict) else None
            problems |= _values_beyond_reason(getattr(value, name), inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            inner = raw[index] if isinstance(raw, list) and index < len(raw) else None
            problems |= _values_beyond_reason(item, inner, f"{path}.{index}" if path else str(index))
    elif isinstance(value, datetime):
        try:
            value.astimezone(UTC)
        except (OverflowError, ValueError):
            problems[path] = "That time is beyond the calendar in UTC; give a date before the year 9999."
    elif isinstance(value, Decimal) and isinstance(raw, str) and not raw.isascii():
        problems[path] = "Write the number in the digits 0 to 9, like 1250.00."
    return problems


def _contains_nul(data) -> bool:
    """Whether any key or string in parsed JSON holds U+0000, which PostgreSQL text cannot store or compare."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def field_errors(error: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]) or "body"
        message = problem["msg"]
        if problem["type"] == "missing":
            message = "This field is required."
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        fields.setdefault(name, message)
    return fields


def _summary(fields: dict[str, str]) -> str:
    names = ", ".join(fields)
    return f"Some values are missing or invalid ({names}); see fields for what to change."


def int_arg(name: str, default: int, minimum: int = 1, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        message = f"The query parameter {name} must be a whole number."
        raise ConsortError(message, {name: "Must be a whole number."}) from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ConsortError(f"The query parameter {name} must be {bounds}.", {name: f"Must be {bounds}."})
    return value
