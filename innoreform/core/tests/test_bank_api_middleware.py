"""Bank API calls skip the cookie, CSRF, messages, HTMX and page-CSP middleware (see
core.middleware.SkipOnBankApi); pages and the portal API keep all of it."""

import pytest
from django.test import Client
from django.urls import reverse

from innoreform.core import services
from innoreform.core.middleware import BANK_API_CSP
from innoreform.core.models import OrgKind, Role
from innoreform.core.testing import make_actor

pytestmark = pytest.mark.django_db


def _bank_client():
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    _key, secret = services.api_key_create(actor=actor, name="mw")
    return actor, Client(headers={"X-API-Key": secret, "X-Request-ID": "req-bank-1"})


def test_bank_api_sets_no_cookie_and_keeps_request_id_and_security_headers():
    _actor, client = _bank_client()
    response = client.get("/api/bank/v1/institution/me")
    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert response["X-Request-ID"] == "req-bank-1"
    assert response["Content-Security-Policy"] == BANK_API_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_bank_api_unsafe_call_needs_no_csrf_token_and_still_translates_errors():
    _actor, client = _bank_client()
    client.handler.enforce_csrf_checks = True
    response = client.post("/api/bank/v1/institution/idempotency-check", data={}, content_type="application/json",
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400  # no Idempotency-Key: the API's answer, not a CSRF refusal
    assert response.json()["code"] == "idempotency_key_missing"
    assert response["Content-Language"] == "en"


def test_bank_api_with_a_session_cookie_is_not_signed_in():
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    client = Client()
    client.force_login(actor.user)
    response = client.get("/api/bank/v1/institution/me")
    assert response.status_code == 401
    assert not response.cookies


def test_pages_and_portal_api_keep_session_csrf_and_page_policy():
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    client = Client(enforce_csrf_checks=True)
    client.force_login(actor.user)
    me = client.get("/api/v1/core/me")
    assert me.status_code == 200
    assert me["Content-Security-Policy"] != BANK_API_CSP
    refused = client.post("/api/v1/core/api-keys", data={"name": "x"}, content_type="application/json")
    assert refused.status_code == 403  # the portal API still checks CSRF
    page = client.get(reverse("core:home"))
    assert page.status_code == 200
    assert "script-src 'self' 'nonce-" in page["Content-Security-Policy"]
    assert "Cookie" in page["Vary"]


def test_bank_api_docs_page_keeps_the_page_policy():
    response = Client().get("/api/bank/v1/docs")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] != BANK_API_CSP
