"""Schemathesis's positive phase over both APIs, signed in as several organisation kinds: every
operation gets bodies, paths and queries that its published schema says are valid, and must not
answer with a request-validation 422 (the document then described another body than the one the
server checks, as when two apps' schemas shared a name: issue #19 item 6).

A 422 from a business rule the schema cannot express (a credit code's check character) stays a
correct answer; only rejections by django-ninja's own request validation count as failures.
Small by default (a few minutes on two cores); SCHEMATHESIS_POSITIVE_EXAMPLES raises the examples
per operation and kind, SCHEMATHESIS_POSITIVE_KINDS picks the portal kinds (comma-separated)."""

import os

import pytest
import schemathesis
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client
from hypothesis import HealthCheck, settings
from ninja.errors import ValidationError as NinjaValidationError
from schemathesis.config import SchemathesisConfig

from config.api import bank_api, portal_api
from config.wsgi import application as app
from innoreform.core import services
from innoreform.core.models import OrgKind, Role
from innoreform.core.testing import make_actor, request_signals_keep_connection

EXAMPLES = int(os.environ.get("SCHEMATHESIS_POSITIVE_EXAMPLES", "2"))
PORTAL_KINDS = os.environ.get("SCHEMATHESIS_POSITIVE_KINDS", "enterprise,department,bank").split(",")
BANK_KINDS = [OrgKind.BANK, OrgKind.SERVICE_INSTITUTION]
CONFIG = SchemathesisConfig.from_dict({
    "generation": {"mode": "positive"},
    "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422",
                                                                   "429"]}},
})
portal_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
bank_schema = schemathesis.openapi.from_wsgi("/api/bank/v1/openapi.json", app, config=CONFIG)
POSITIVE = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
CREDENTIALS: dict[str, dict] = {}


@pytest.fixture(autouse=True)
def keep_test_connection():
    with request_signals_keep_connection():
        yield


# Known gap, tolerated here and listed in issue #19's follow-up: pydantic documents a Decimal
# input as a bounded number OR any string, so a string that is not a decimal, or one out of the
# number's bounds, is refused although the document allows it. Fixing it needs a shared decimal
# type whose string branch carries a pattern and its bounds.
_DECIMAL_STRING_GAP = {"decimal_parsing", "decimal_max_digits", "decimal_max_places", "decimal_whole_digits"}
_BOUNDS = {"less_than", "less_than_equal", "greater_than", "greater_than_equal"}


# Deliberate: JSON Schema's "integer" includes 1.0 (the same number as 1), which schemathesis
# sends; money and ids refuse it on purpose (issue #19 item 7: 1e3 must not become 1000), and no
# JSON Schema keyword can say so. Positive data never holds other non-integers for an integer.
_INTEGRAL_FLOAT = {"int_type"}


# Django's multipart parser drops a zero-byte file part, so an empty upload (which schemathesis
# sends as a valid binary string) reaches ninja as a missing file; an empty file is no upload.
def _empty_upload(error: dict) -> bool:
    return error.get("type") == "missing" and tuple(error.get("loc", ()))[:1] == ("file",)


def _unpredicted(errors: list[dict]) -> list[dict]:
    return [e for e in errors if e.get("type") not in _DECIMAL_STRING_GAP | _INTEGRAL_FLOAT
            and not (e.get("type") in _BOUNDS and isinstance(e.get("input"), str)) and not _empty_upload(e)]


@pytest.fixture(autouse=True)
def schema_rejections():
    """Request-validation errors raised by django-ninja during the test, with their details."""
    seen: list = []
    originals = {api: api._exception_handlers[NinjaValidationError] for api in (portal_api, bank_api)}

    def recording(original):
        def handler(request, exc):
            if _unpredicted(exc.errors):
                seen.append((request.method, request.path, exc.errors))
            return original(request, exc)
        return handler

    for api, original in originals.items():
        api._exception_handlers[NinjaValidationError] = recording(original)
    yield seen
    for api, original in originals.items():
        api._exception_handlers[NinjaValidationError] = original


@portal_schema.auth(refresh_interval=None)
class PortalSession:
    def get(self, case, ctx):
        return CREDENTIALS.get("portal")

    def set(self, case, data, ctx):
        case.cookies = {**(case.cookies or {}), **data["cookies"]}
        case.headers = {**(case.headers or {}), **data["headers"]}


@bank_schema.auth(refresh_interval=None)
class BankKey:
    def get(self, case, ctx):
        return CREDENTIALS.get("bank")

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), **data["headers"]}


@pytest.fixture
def portal_session(db, kind):
    actor = make_actor(kind=kind, role=Role.ADMINISTRATOR)
    client = Client()
    client.force_login(actor.user)
    secret = _get_new_csrf_string()
    CREDENTIALS["portal"] = {"headers": {"X-CSRFToken": _mask_cipher_secret(secret)},
                             "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": secret}}


@pytest.fixture
def bank_key(db, kind):
    actor = make_actor(kind=kind, role=Role.ADMINISTRATOR)
    _key, secret = services.api_key_create(actor=actor, name="schemathesis")
    CREDENTIALS["bank"] = {"headers": {"X-API-Key": secret}}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", PORTAL_KINDS)
@portal_schema.parametrize()
@POSITIVE
def test_portal_api_accepts_what_it_documents(case, kind, portal_session, schema_rejections):
    schema_rejections.clear()
    case.call_and_validate()
    assert schema_rejections == []


@pytest.mark.django_db
@pytest.mark.parametrize("kind", BANK_KINDS)
@bank_schema.parametrize()
@POSITIVE
def test_bank_api_accepts_what_it_documents(case, kind, bank_key, schema_rejections):
    schema_rejections.clear()
    case.call_and_validate()
    assert schema_rejections == []
