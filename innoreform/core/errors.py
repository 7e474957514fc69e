"""Domain errors with stable codes. APIs render them as {code, message, details}; pages show the
message next to the field named in details.

Raise these from services and selectors; never raise HTTP-specific errors there.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = _("The request could not be processed.")

    def __init__(self, message: Any = None, *, code: str | None = None, details: dict | None = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.details = details or {}
        super().__init__(str(self.message))

    def envelope(self) -> dict:
        """The API's error body, in the active language."""
        return {"code": self.code, "message": str(self.message), "details": self.details}


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    default_message = _("Sign in or present a valid API key.")


class PermissionDenied(DomainError):
    """Use only where the actor may see the object; otherwise raise NotFound (never leak existence)."""

    status = 403
    code = "permission_denied"
    default_message = _("You are not allowed to do this.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("The request conflicts with the current state.")


class ValidationFailed(DomainError):
    """Field-level problems: details maps field name to a list of messages."""

    status = 422
    code = "validation_failed"
    default_message = _("Some fields are not valid.")


class PayloadTooLarge(DomainError):
    status = 413
    code = "too_large"
    default_message = _("The request body is larger than this service accepts.")


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    default_message = _("Too many requests; try again later.")


def field_error(field: str, message: Any, *, code: str = "validation_failed") -> ValidationFailed:
    return ValidationFailed(details={field: [str(message)]}, code=code)
