"""Errors a service or a domain rule raises; the web and API layers turn them into answers.

Each carries a sentence a person can act on and, where it concerns input, the fields at fault.
"""


class ConsortError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(ConsortError):
    status = 422
    code = "validation_failed"


class NotSignedIn(ConsortError):
    status = 401
    code = "unauthorised"


class Forbidden(ConsortError):
    status = 403
    code = "forbidden"


class NotFound(ConsortError):
    status = 404
    code = "not_found"


class Conflict(ConsortError):
    """An illegal state transition or a deadline that has passed."""

    status = 409
    code = "conflict"


class OtpRequired(ConsortError):
    """The password was right, and the account also needs a code from its second factor."""

    status = 401
    code = "otp_required"


class TooLarge(ConsortError):
    status = 413
    code = "too_large"
