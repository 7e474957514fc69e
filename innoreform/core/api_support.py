"""Shared API plumbing: the error envelope, the two authentication schemes, response
declarations, and exception handlers. Both NinjaAPI instances in config/api.py use it."""

import hashlib
import hmac
import logging
import re
import time
import unicodedata
from datetime import timedelta
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.db.models.base import ModelState
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, APIKeyHeader
from pydantic import AfterValidator, BeforeValidator, Strict
from pydantic_core import PydanticCustomError

from . import audit
from .actor import Actor
from .errors import DomainError, NotAuthenticated
from .models import ApiKey
from .permissions import record_denial_of

log = logging.getLogger("innoreform.api")


# --- strict input types (issue #19 item 7) ---------------------------------------------------

_CANONICAL_ID = re.compile(r"[1-9][0-9]{0,18}")


def _canonical_id(value: Any) -> Any:
    # Path and query values arrive as text: only the canonical spelling of a positive integer
    # names an object ("1.0", " 1", "01" or "+1" must not resolve to 1). JSON numbers pass on
    # to the strict int check, which refuses true, 1.0 and 1e3.
    if isinstance(value, str):
        if not _CANONICAL_ID.fullmatch(value):
            raise PydanticCustomError("id_parsing", _("An id is a positive whole number written in digits."))
        return int(value)
    return value


# Database ids as API parameters: strict, canonical, bounded so that no input overflows a BIGINT.
DbId = Annotated[int, Strict(), Field(ge=1, le=2**63 - 1), BeforeValidator(_canonical_id)]
# Money in fen: a JSON integer only (not true, "100", 100.0 or 1e3, which lax parsing turns into
# 1, 100, 100 and 1000). Put bounds on the field: amount_fen: Fen = Field(ge=1, le=...).
Fen = Annotated[int, Strict()]

# Unicode categories Cc (controls) and Cf (format: bidi overrides and isolates U+202A-U+202E,
# U+2066-U+2069, zero-width U+200B-U+200F, U+FEFF, soft hyphen...) make a name display as
# something else or not at all. The Basic Multilingual Plane part, as published in the OpenAPI
# pattern (an ECMA-262 and Python class); tests/test_strict_inputs.py checks it against
# unicodedata. The validator also refuses the few astral Cf characters (tags, musical formats).
_INVISIBLE_BMP = ("\\u0000-\\u001F\\u007F-\\u009F\\u00AD\\u0600-\\u0605\\u061C\\u06DD\\u070F\\u0890-\\u0891"
                  "\\u08E2\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF\\uFFF9-\\uFFFB")
NAME_PATTERN = f"^[^{_INVISIBLE_BMP}]*$"


def _refuse_invisible(value: str) -> str:
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise PydanticCustomError("invisible_characters",
                                  _("Names may not contain control or invisible formatting characters."))
    return value


class _PublishNamePattern:
    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        schema["pattern"] = NAME_PATTERN
        return schema


# A name, title or label a person will read: Name = Field(..., max_length=100) on the field.
Name = Annotated[str, AfterValidator(_refuse_invisible), _PublishNamePattern()]


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any] = {}


class OkOut(Schema):
    ok: bool = True


ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429, 503)


def responses(success: dict[int, Any] | Any, *errors: int) -> dict[int, Any]:
    """Declare the success schema(s) and every error status an operation can return.

    400, 401, 403, 413, 422, 429 and 503 are always possible (bad body or a NUL character, no
    credentials, CSRF or role refusal, body over DATA_UPLOAD_MAX_MEMORY_SIZE, invalid fields,
    throttle, database briefly unavailable).
    """
    declared = dict(success) if isinstance(success, dict) else {200: success}
    for status in {400, 401, 403, 413, 422, 429, 503, *errors}:
        declared[status] = ErrorOut
    return declared


class PortalSessionAuth(APIKeyCookie):
    """Portal API: the Django session with CSRF protection on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        actor = getattr(request, "actor", None)
        return actor if actor is not None else Actor.for_user(user)


API_KEY_HEADER = "X-API-Key"
_LAST_USED_RESOLUTION = timedelta(seconds=60)


def hash_api_secret(secret: str) -> str:
    # Keys are 32 random bytes, so a fast hash is safe (no dictionary to attack); argon2 would
    # cost tens of milliseconds on every bank request.
    return hashlib.sha256(secret.encode()).hexdigest()


# A bank client sends its key with every call: the key and organisation rows are kept per
# process for a short while and each call re-checks them with one cheap probe (revocation and a
# deactivated organisation still take effect at once; other organisation fields may lag by
# _KEY_CACHE_SECONDS): loading both full rows on every call cost more than the deduction itself.
_KEY_CACHE_SECONDS = 30.0
_KEY_CACHE_MAX = 1000
_key_cache: dict[str, tuple[float, ApiKey]] = {}


def _key_still_valid(api_key: ApiKey) -> bool:
    return ApiKey.objects.filter(pk=api_key.pk, prefix=api_key.prefix, secret_hash=api_key.secret_hash,
                                 revoked_at__isnull=True, organisation__is_active=True).exists()


def _active_key(prefix: str) -> ApiKey | None:
    """The unrevoked key with this prefix and its organisation (fresh copies: callers may
    change them), or None."""
    hit = _key_cache.get(prefix)
    now = time.monotonic()
    if hit is not None and now - hit[0] < _KEY_CACHE_SECONDS and _key_still_valid(hit[1]):
        api_key = hit[1]
    else:
        api_key = (
            ApiKey.objects.select_related("organisation").filter(prefix=prefix, revoked_at__isnull=True).first()
        )
        if api_key is None or not api_key.organisation.is_active:
            _key_cache.pop(prefix, None)
            return None
        if len(_key_cache) >= _KEY_CACHE_MAX:
            _key_cache.clear()
        _key_cache[prefix] = (now, api_key)
    fresh = _fresh_copy(api_key)
    fresh.organisation = _fresh_copy(api_key.organisation)
    return fresh


def _fresh_copy(instance):
    """A shallow copy of a loaded model instance with its own state (and so its own cache of
    related objects), without copy.copy()'s round trip through the pickle protocol."""
    clone = type(instance).__new__(type(instance))
    clone.__dict__.update(instance.__dict__)
    clone._state = ModelState()
    clone._state.db, clone._state.adding = instance._state.db, False
    return clone


class BankApiKeyAuth(APIKeyHeader):
    """Bank/institution API: `X-API-Key: <prefix>.<secret>`; no cookies are read."""

    param_name = API_KEY_HEADER

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        if not key or "." not in key or len(key) > 200:
            return None
        prefix, _sep, secret = key.partition(".")
        api_key = _active_key(prefix)
        if api_key is None:
            return None
        if not hmac.compare_digest(hash_api_secret(secret), api_key.secret_hash):
            return None
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > _LAST_USED_RESOLUTION:
            # A conditional update: last-used is bookkeeping, not a business write.
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            cached = _key_cache.get(prefix)
            if cached is not None:
                cached[1].last_used_at = now
        return Actor.for_api_key(api_key)


def error_response(api: NinjaAPI, request: HttpRequest, *, status: int, code: str, message: Any,
                   details: dict | None = None) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": str(message), "details": details or {}}, status=status
    )


def _validation_details(errors: list[dict]) -> dict[str, list[str]]:
    details: dict[str, list[str]] = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header", "payload")]
        field = ".".join(loc) or "__all__"
        details.setdefault(field, []).append(str(err.get("msg", "invalid")))
    return details


def install_error_handlers(api: NinjaAPI) -> None:
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        # A denial by permissions.require is recorded once, as itself (now, if its transaction
        # rolled back before it could be); other refusals get a row naming the request.
        if exc.status in (403, 404) and not record_denial_of(exc):
            actor = getattr(request, "auth", None) or getattr(request, "actor", None)
            if isinstance(actor, Actor):
                audit.record_denial(actor=actor, action=f"api:{request.method} {request.path}"[:100],
                                    reason=exc.code)
        return error_response(api, request, status=exc.status, code=exc.code, message=exc.message,
                              details=exc.details)

    def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        if any(err.get("loc", ())[:2] == ("header", "Idempotency-Key") for err in exc.errors):
            return error_response(api, request, status=400, code="idempotency_key_missing",
                                  message=_("This operation needs an Idempotency-Key header of 1 to 255 characters."))
        return error_response(api, request, status=422, code="validation_failed",
                              message=_("Some fields are not valid."), details=_validation_details(exc.errors))

    def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, status=401, code=NotAuthenticated.code,
                              message=NotAuthenticated.default_message)

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {400: "bad_request", 403: "permission_denied", 404: "not_found", 405: "method_not_allowed",
                 409: "conflict", 413: "too_large", 429: "rate_limited"}
        message = _("CSRF check failed.") if "CSRF" in str(exc) else str(exc)
        return error_response(api, request, status=exc.status_code, code=codes.get(exc.status_code, "error"),
                              message=message)

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        if isinstance(exc, DatabaseOperationalError | DatabaseInterfaceError):
            # The database refused or dropped the connection: nothing was committed, so the
            # client may retry (with the same Idempotency-Key for money-moving calls).
            log.warning("database unavailable", extra={"path": request.path})
            response = error_response(api, request, status=503, code="service_unavailable",
                                      message=_("The service is briefly unavailable; please retry."))
            response["Retry-After"] = "1"
            return response
        log.exception("unhandled API error", extra={"path": request.path})
        return error_response(api, request, status=500, code="internal_error",
                              message=_("An internal error occurred; it has been logged."))

    def on_model_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        # A model's full_clean caught what the schema did not: still the client's input.
        details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return error_response(api, request, status=422, code="validation_failed",
                              message=_("Some fields are not valid."), details=details)

    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(DjangoValidationError, on_model_validation)
    api.add_exception_handler(NinjaValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_auth_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Exception, on_unexpected)
