"""Bank API calls take their own, shorter middleware list in the deployed application
(core.bank_api_path); Django's test client, which every other test uses, takes the portal's list.
Both must give a bank call the same answer, headers included."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from config.wsgi import application
from innoreform.core import services
from innoreform.core.bank_api_path import BankApiHandler, is_bank_api_path
from innoreform.core.middleware import BANK_API_CSP
from innoreform.core.models import OrgKind, Role
from innoreform.core.testing import call_wsgi, make_actor

pytestmark = pytest.mark.django_db
ME = "/api/bank/v1/institution/me"
CHECK = "/api/bank/v1/institution/idempotency-check"


@pytest.fixture
def secret():
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    return services.api_key_create(actor=actor, name="path")[1]


def _both(method: str, path: str, **kwargs):
    """The bank list's answer and the portal list's, each as (status, headers, body)."""
    return call_wsgi(application.bank, method, path, **kwargs), call_wsgi(application.portal, method, path, **kwargs)


def _calls(secret: str) -> list[tuple[str, str, dict]]:
    key = {"X-API-Key": secret}
    return [
        ("GET", ME, {"headers": {**key, "X-Request-ID": "r1"}}),
        ("GET", ME, {"headers": {**key, "X-Request-ID": "r2", "Accept-Language": "en"}}),
        ("GET", ME, {"headers": {"X-Request-ID": "r3", "Accept-Language": "en"}}),  # no key: 401
        ("GET", ME, {"headers": {"X-Request-ID": "r4", "Accept-Language": "zh-hans", "Cookie": "sessionid=x"}}),
        ("POST", CHECK, {"headers": {**key, "X-Request-ID": "r5", "Accept-Language": "en"},
                         "body": json.dumps({"reference": "a", "amount_fen": 1}).encode()}),  # no Idempotency-Key
        ("POST", CHECK, {"headers": {**key, "X-Request-ID": "r6", "Accept-Language": "en"},
                         "body": b'{"reference": "a\\u0000", "amount_fen": 1}'}),  # NUL: 400
        ("GET", ME, {"headers": {**key, "X-Request-ID": "r7"}, "query": "x=%00"}),
        ("GET", "/api/bank/v1/nowhere", {"headers": {**key, "X-Request-ID": "r8", "Accept-Language": "en"}}),
        ("GET", ME + "/", {"headers": {**key, "X-Request-ID": "r9"}}),
        ("GET", ME, {"headers": {**key, "X-Request-ID": "r10", "Host": "evil.example"}}),  # not an allowed host
    ]


def test_bank_calls_get_the_same_answer_from_both_middleware_lists(secret):
    statuses = []
    for method, path, kwargs in _calls(secret):
        bank, portal = _both(method, path, **kwargs)
        assert bank == portal, (method, path, kwargs)
        statuses.append(bank[0])
    assert statuses == [200, 200, 401, 401, 400, 400, 400, 404, 404, 400]


def test_bank_list_answers_with_the_bank_headers_and_the_callers_language(secret):
    status, headers, body = call_wsgi(application, "GET", "/api/bank/v1/nowhere",
                                      headers={"X-API-Key": secret, "Accept-Language": "en", "X-Request-ID": "q"})
    assert status == 404
    assert headers["Content-Security-Policy"] == BANK_API_CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Request-ID"] == "q"
    assert headers["Content-Language"] == "en"
    assert "Set-Cookie" not in headers
    status, headers, body = call_wsgi(application, "POST", CHECK, body=b"{}",
                                      headers={"X-API-Key": secret, "Accept-Language": "zh-hans"})
    assert status == 400
    assert headers["Content-Language"] == "zh-hans"
    assert json.loads(body)["message"] != "This operation needs an Idempotency-Key header."  # translated


def test_only_bank_api_calls_take_the_short_path():
    assert is_bank_api_path("/api/bank/v1/vouchers/orders/1/deduct")
    assert not is_bank_api_path("/api/bank/v1/docs")  # an HTML page: the portal's list, its policy
    assert not is_bank_api_path("/api/v1/core/me")
    assert not is_bank_api_path("/vouchers/")


def test_pages_and_the_bank_docs_still_take_the_portal_list():
    status, headers, _body = call_wsgi(application, "GET", "/api/bank/v1/docs")
    assert status == 200
    assert headers["Content-Security-Policy"] != BANK_API_CSP
    status, headers, _body = call_wsgi(application, "GET", "/login/")
    assert status == 200
    assert "csrftoken" in headers.get("Set-Cookie", "")
    assert "script-src 'self' 'nonce-" in headers["Content-Security-Policy"]


def test_an_unknown_api_path_is_a_404_envelope_and_an_unknown_page_the_404_page(secret):
    status, headers, body = call_wsgi(application, "GET", "/api/bank/v1/nowhere",
                                      headers={"X-API-Key": secret, "Accept-Language": "en"})
    assert (status, json.loads(body)) == (404, {"code": "not_found", "message": "Not found.", "details": {}})
    assert "Set-Cookie" not in headers
    status, headers, body = call_wsgi(application, "GET", "/api/v1/nowhere", headers={"Accept-Language": "zh-hans"})
    assert status == 404
    assert json.loads(body)["code"] == "not_found"
    status, headers, body = call_wsgi(application, "GET", "/nowhere/")
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")


@override_settings(BANK_API_MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"])
def test_a_middleware_with_view_hooks_is_refused_in_the_bank_list():
    with pytest.raises(ImproperlyConfigured, match="process_view"):
        BankApiHandler()
