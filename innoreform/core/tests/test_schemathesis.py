"""Schemathesis over both APIs, in process: every operation, positive and negative data, all
checks (no 5xx, declared statuses and schemas, content types). Runs as the enterprise,
department and bank identities that the demo has, so operations are exercised with rights."""

import os

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from config.wsgi import application as app
from innoreform.core import services
from innoreform.core.models import OrgKind, Role
from innoreform.core.testing import make_actor, request_signals_keep_connection

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
# Schema-valid requests may still break a business rule the schema cannot express (a credit
# code's check character, a ledger index beyond the tree): 400 and 422 with the error envelope
# are correct answers there. Everything else stays at schemathesis's defaults; 5xx never passes.
CONFIG = SchemathesisConfig.from_dict({
    "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422",
                                                                   "429"]}},
})
portal_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
bank_schema = schemathesis.openapi.from_wsgi("/api/bank/v1/openapi.json", app, config=CONFIG)
# A search like every hypothesis test (root conftest's profiles), with its own example count.
# Suppressed health checks, each for a reason: too_slow, because an example is a whole request
# through the application and the database; function_scoped_fixture, because the signed-in
# session and the API key are meant to be shared by every example of an operation (the test's
# database rolls back once, after all of them).
FUZZ_SETTINGS = settings(max_examples=MAX_EXAMPLES,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


CREDENTIALS: dict[str, dict] = {}


@pytest.fixture(autouse=True)
def keep_test_connection():
    with request_signals_keep_connection():
        yield


@portal_schema.auth(refresh_interval=None)
class PortalSession:
    """The portal's session cookie and CSRF token, applied as schemathesis auth so that its
    auth checks (ignored_auth, missing credentials) remove and alter them properly."""

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
def portal_headers(db):
    actor = make_actor(kind=OrgKind.DEPARTMENT, role=Role.APPROVER)
    client = Client()
    client.force_login(actor.user)
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    token = _mask_cipher_secret(secret)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": secret}
    CREDENTIALS["portal"] = {"headers": {"X-CSRFToken": token}, "cookies": cookies}


@pytest.fixture
def bank_headers(db):
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    _key, secret = services.api_key_create(actor=actor, name="schemathesis")
    CREDENTIALS["bank"] = {"headers": {"X-API-Key": secret}}


@pytest.mark.django_db
@portal_schema.parametrize()
@FUZZ_SETTINGS
def test_portal_api(case, portal_headers):
    case.call_and_validate()


@pytest.mark.django_db
@bank_schema.parametrize()
@FUZZ_SETTINGS
def test_bank_api(case, bank_headers):
    case.call_and_validate()
