import json
import threading

import pytest
from django.db import connection
from django.test import Client

from innoreform.core import services
from innoreform.core.models import ApiKey, AuditEvent, OrgKind, Role
from innoreform.core.testing import make_actor

pytestmark = pytest.mark.django_db

IDEM = "/api/bank/v1/institution/idempotency-check"


def bank_client(kind=OrgKind.BANK):
    actor = make_actor(kind=kind, role=Role.ADMINISTRATOR)
    key, secret = services.api_key_create(actor=actor, name="test")
    client = Client(headers={"X-API-Key": secret})
    client.api_key = secret
    return actor, key, client


def session_client(actor, enforce_csrf=False):
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(actor.user)
    return client


def test_portal_api_requires_a_session_and_uses_the_error_envelope():
    response = Client().get("/api/v1/core/me")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": response.json()["message"], "details": {}}


def test_error_messages_are_translated():
    zh = Client(headers={"Accept-Language": "zh-hans"}).get("/api/v1/core/me").json()["message"]
    en = Client(headers={"Accept-Language": "en"}).get("/api/v1/core/me").json()["message"]
    assert en == "Sign in or present a valid API key."
    assert zh != en


def test_portal_me_names_the_acting_organisation():
    actor = make_actor(kind=OrgKind.ENTERPRISE, role=Role.REVIEWER)
    body = session_client(actor).get("/api/v1/core/me").json()
    assert body["organisation"]["id"] == actor.organisation.pk and body["role"] == "reviewer"


def test_portal_api_enforces_csrf_on_writes():
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    response = session_client(actor, enforce_csrf=True).post(
        "/api/v1/core/api-keys", data={"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_validation_errors_name_fields():
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    response = session_client(actor).post("/api/v1/core/api-keys", data={"name": ""},
                                          content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert "name" in response.json()["details"]


def test_bank_api_key_is_scoped_to_its_organisation():
    actor, key, client = bank_client()
    body = client.get("/api/bank/v1/institution/me").json()
    assert body["organisation"]["id"] == actor.organisation.pk
    assert body["api_key_prefix"] == key.prefix
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.parametrize("header", ["", "nonsense", "abc.def", "x" * 300])
def test_bank_api_rejects_bad_keys(header):
    response = Client(headers={"X-API-Key": header}).get("/api/bank/v1/institution/me")
    assert response.status_code == 401


def test_revoked_key_stops_working_at_once():
    actor, key, client = bank_client()
    assert client.get("/api/bank/v1/institution/me").status_code == 200
    services.api_key_revoke(actor=actor, key=key)
    assert client.get("/api/bank/v1/institution/me").status_code == 401


def test_bank_api_ignores_session_cookies():
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    assert session_client(actor).get("/api/bank/v1/institution/me").status_code == 401


def test_api_key_created_once_and_listed_without_secret():
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    client = session_client(actor)
    created = client.post("/api/v1/core/api-keys", data={"name": "core"}, content_type="application/json").json()
    assert "secret" in created
    listed = client.get("/api/v1/core/api-keys").json()
    assert [k["prefix"] for k in listed] == [created["prefix"]]
    assert "secret" not in listed[0]
    assert ApiKey.objects.get(prefix=created["prefix"]).secret_hash not in created["secret"]


def test_other_organisations_objects_are_404_and_denial_audited():
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    other_actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    other_key, _ = services.api_key_create(actor=other_actor, name="theirs")
    client = session_client(actor)
    response = client.post(f"/api/v1/core/api-keys/{other_key.pk}/revoke")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get(f"/api/v1/core/organisations/{other_actor.organisation.pk}").status_code == 404
    denials = AuditEvent.objects.filter(outcome="denied", actor=actor.user)
    assert denials.count() == 2


# --- Idempotency-Key ---------------------------------------------------------------------------------

def post(client, body, key):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(IDEM, data=json.dumps(body), content_type="application/json", headers=headers)


def effects(reference):
    return AuditEvent.objects.filter(action="institution.idempotency_check", changes__reference=reference).count()


def test_missing_key_is_400():
    _, _, client = bank_client()
    response = post(client, {"reference": "r1", "amount_fen": 100}, None)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"
    assert effects("r1") == 0


def test_replays_return_the_first_response_with_one_effect():
    _, _, client = bank_client()
    first = post(client, {"reference": "r2", "amount_fen": 100}, "k-1")
    assert first.status_code == 201
    for _ in range(50):
        again = post(client, {"reference": "r2", "amount_fen": 100}, "k-1")
        assert (again.status_code, again.json()) == (201, first.json())
    assert effects("r2") == 1


def test_same_key_other_body_is_422():
    _, _, client = bank_client()
    assert post(client, {"reference": "r3", "amount_fen": 100}, "k-2").status_code == 201
    response = post(client, {"reference": "r3", "amount_fen": 999}, "k-2")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert effects("r3") == 1


def test_keys_are_scoped_per_client():
    _, _, client_a = bank_client()
    _, _, client_b = bank_client()
    a = post(client_a, {"reference": "r4", "amount_fen": 1}, "shared-key")
    b = post(client_b, {"reference": "r4", "amount_fen": 1}, "shared-key")
    assert a.status_code == b.status_code == 201
    assert a.json()["audit_event_id"] != b.json()["audit_event_id"]
    assert effects("r4") == 2


def test_in_flight_is_409():
    from innoreform.core.models import IdempotencyRecord

    actor, _, client = bank_client()
    IdempotencyRecord.objects.create(scope=f"org:{actor.organisation_id}", key="k-busy", method="POST", path=IDEM,
                                     request_hash=__import__("hashlib").sha256(
                                         b"POST\0" + IDEM.encode() + b"\0" +
                                         json.dumps({"reference": "r5", "amount_fen": 1}).encode()).hexdigest())
    response = post(client, {"reference": "r5", "amount_fen": 1}, "k-busy")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_request_in_flight"
    assert effects("r5") == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_replays_have_one_effect():
    _, _, client = bank_client()
    api_key_header = client.api_key
    results = []
    barrier = threading.Barrier(20)

    def worker():
        local = Client(headers={"X-API-Key": api_key_header})
        barrier.wait()
        try:
            response = post(local, {"reference": "race", "amount_fen": 5}, "k-race")
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20
    successes = [body for status, body in results if status == 201]
    in_flight = [body for status, body in results if status == 409]
    assert len(successes) + len(in_flight) == 20
    assert successes and all(body == successes[0] for body in successes)
    assert all(body["code"] == "idempotency_request_in_flight" for body in in_flight)
    assert effects("race") == 1
    final = post(client, {"reference": "race", "amount_fen": 5}, "k-race")
    assert (final.status_code, final.json()) == (201, successes[0])


def test_admin_login_goes_through_the_portal_login():
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login") or "login" in response["Location"]
    assert "/admin/login" not in response["Location"].split("?")[0]


def test_pages_default_to_chinese_whatever_the_browser_says():
    page = Client(headers={"Accept-Language": "en-US,en;q=0.9"}).get("/login/")
    assert page["Content-Language"] == "zh-hans"
    chosen = Client(headers={"Accept-Language": "zh-hans"})
    chosen.cookies["django_language"] = "en"
    assert chosen.get("/login/")["Content-Language"] == "en"


def test_corrupt_totp_secret_fails_closed_without_a_server_error():
    from innoreform.core.models import User

    actor = make_actor(kind=OrgKind.BANK)
    User.objects.filter(pk=actor.user.pk).update(totp_secret="NOTBASE32!", totp_confirmed=True)
    actor.user.refresh_from_db()
    with pytest.raises(services.LoginFailed):
        services.login_check_totp(user=actor.user, code="123456")


def test_fingerprint_of_a_parsed_multipart_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import RequestFactory

    from innoreform.core.idempotency import _fingerprint

    def fingerprint(content):
        request = RequestFactory().post("/x", {"note": "a", "file": SimpleUploadedFile("f.csv", content)})
        request.POST  # Django parses the upload; request.body is then unavailable  # noqa: B018
        return _fingerprint(request)

    assert fingerprint(b"1,2") == fingerprint(b"1,2")
    assert fingerprint(b"1,2") != fingerprint(b"1,3")


@pytest.mark.parametrize(("path", "body"), [
    ("/api/bank/v1/institution/idempotency-check", '{"reference": "a\\u0000b", "amount_fen": 1}'),
    ("/api/bank/v1/institution/idempotency-check?x=%00", '{"reference": "ab", "amount_fen": 1}'),
])
def test_nul_characters_are_refused_with_the_envelope(path, body):
    _, _, client = bank_client()
    response = client.post(path, data=body, content_type="application/json", headers={"Idempotency-Key": "n"})
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert not AuditEvent.objects.filter(action="institution.idempotency_check").exists()


# Issue #19 item 4: the guard looked only at "application/json"; ninja parses any body as JSON,
# so other spellings reached PostgreSQL (a 500 there).
@pytest.mark.parametrize("content_type", ["text/plain", "APPLICATION/JSON", "application/json; charset=utf-8",
                                          "", None])
@pytest.mark.parametrize("body", [b'{"name": "a\\u0000b"}', b'{"name": "a\x00b"}'])
def test_nul_is_refused_on_both_apis_whatever_the_content_type(content_type, body):
    actor, _, bank = bank_client()
    portal = session_client(actor)
    for client, path in ((portal, "/api/v1/core/api-keys"), (bank, IDEM)):
        extra = {} if content_type is None else {"CONTENT_TYPE": content_type}
        response = client.generic("POST", path, body, headers={"Idempotency-Key": "n"}, **extra)
        assert response.status_code == 400, (path, response.content)
        assert response.json()["code"] == "nul_character"
    assert not ApiKey.objects.exclude(name="test").exists()


def test_an_escaped_backslash_before_u0000_is_not_a_nul():
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    response = session_client(actor).post("/api/v1/core/api-keys", data=b'{"name": "a\\\\u0000"}',
                                          content_type="text/plain")
    assert response.status_code == 201, response.content
    assert ApiKey.objects.get(pk=response.json()["id"]).name == "a\\u0000"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x"])
def test_an_oversize_body_is_a_413_envelope_on_both_apis(settings, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    actor, _, bank = bank_client()
    portal = session_client(actor)
    body = b'{"name": "' + b"x" * 2000 + b'"}'
    if content_type.startswith("multipart/"):
        from django.test.client import encode_multipart

        body = encode_multipart("x", {"name": "x" * 2000})
    for client, path in ((portal, "/api/v1/core/api-keys"), (bank, IDEM)):
        response = client.generic("POST", path, body, content_type=content_type,
                                  headers={"Idempotency-Key": "big", "Accept-Language": "en"})
        assert response.status_code == 413, (path, response.content)
        assert response.json() == {"code": "too_large", "details": {"limit_bytes": 1000},
                                   "message": "The request body is larger than this service accepts."}


def test_a_malformed_multipart_body_is_a_400_envelope():
    actor, _, bank = bank_client()
    for client, path in ((session_client(actor), "/api/v1/core/api-keys"), (bank, IDEM)):
        response = client.generic("POST", path, b"not multipart", content_type="multipart/form-data",
                                  headers={"Idempotency-Key": "m"})
        assert response.status_code == 400, (path, response.content)
        assert response.json()["code"] == "malformed_body"


def test_a_binary_upload_with_nul_bytes_passes_the_guard():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import RequestFactory

    from innoreform.core.middleware import nul_refusal

    request = RequestFactory().post("/api/v1/registry/imports", {"source": "x",
                                    "file": SimpleUploadedFile("f.xlsx", b"PK\x00\x01")})
    assert nul_refusal(request) is None
    request = RequestFactory().post("/api/v1/registry/imports", {"source": "a\x00b"})
    assert nul_refusal(request).status_code == 400


def test_database_outage_is_a_503_with_retry_after(monkeypatch):
    from django.db import OperationalError

    from innoreform.core import api_support

    _, _, client = bank_client()

    def refuse(*args, **kwargs):
        raise OperationalError("too many clients")

    monkeypatch.setattr(api_support.Actor, "for_api_key", refuse)
    response = client.get("/api/bank/v1/institution/me")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response["Retry-After"] == "1"
