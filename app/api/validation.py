"""Reading JSON bodies and query parameters into validated values."""
from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from app.domain.errors import ConsortError, ValidationFailed

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
    try:
        return model.model_validate(data)
    except ValidationError as error:
        fields = field_errors(error)
        raise ValidationFailed(_summary(fields), fields) from None


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
