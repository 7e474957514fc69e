"""Consented sharing (PIPL art. 23): granted, expired, revoked, wrong purpose, wrong institution;
only granted categories leave; every read recorded; the enterprise sees its access history."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from innoreform.core.errors import Conflict, ValidationFailed
from innoreform.core.models import AuditEvent, OrgKind, Role
from innoreform.core.services import api_key_create
from innoreform.core.testing import make_actor, make_org
from innoreform.registry import models as m
from innoreform.registry import selectors, services
from innoreform.registry.demo_data import E1, E2

from .conftest import enterprise_actor

pytestmark = pytest.mark.django_db
URL = "/api/bank/v1/enterprises/{code}"


@pytest.fixture
def bank():
    admin = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    _key, secret = api_key_create(actor=admin, name="loan system")
    return admin, Client(headers={"X-API-Key": secret})


@pytest.fixture
def owner(demo_registry):
    return enterprise_actor(E1)


def grant(owner, institution, categories=("basic", "ip"), purpose="loan_application", days=30):
    version, _ = services.consent_notice()
    return services.grant_create(actor=owner, institution_id=institution.pk, categories=list(categories),
                                 purpose=purpose, valid_until=timezone.localdate() + timedelta(days=days),
                                 notice_version=version)


def read(client, code=E1, purpose="loan_application"):
    return client.get(URL.format(code=code), {"purpose": purpose})


def test_granted_categories_only(owner, bank):
    admin, client = bank
    g = grant(owner, admin.organisation)
    assert (g.notice_version, g.categories, g.purpose) == (1, ["basic", "ip"], "loan_application")
    response = read(client)
    assert response.status_code == 200, response.content
    body = response.json()
    assert sorted(body["data"]) == ["basic", "ip"]
    assert body["data"]["basic"]["name"].startswith("示例")
    assert {r["number"] for r in body["data"]["ip"]} == {"ZL202320000001.1", "ZL202320000002.X", "2023SR0000001"}
    assert "indicators" not in body["data"] and "judicial" not in body["data"]
    record = m.AccessRecord.objects.get()
    assert (record.purpose, record.categories, record.institution_id) == ("loan_application", ["basic", "ip"],
                                                                          admin.organisation_id)
    assert AuditEvent.objects.filter(action="registry.data_accessed", object_id=str(record.pk)).count() == 1
    # the read is committed to the trust ledger in the same transaction
    from innoreform.ledger.models import LedgerPending

    assert LedgerPending.objects.filter(uid=record.ledger_entry, entry_type="registry.data_accessed").exists()


def test_no_grant_is_404_and_audited(owner, bank):
    _admin, client = bank
    response = read(client)
    assert response.status_code == 404
    assert response.json()["code"] == "no_valid_grant"
    assert AuditEvent.objects.filter(outcome="denied", action__contains="/api/bank/v1/enterprises/").exists()
    assert not m.AccessRecord.objects.exists()


def test_unknown_enterprise_looks_the_same_as_no_grant(owner, bank):
    _admin, client = bank
    assert read(client, code="91440106MA5XXXXXX1").json()["code"] == "no_valid_grant"


def test_wrong_purpose(owner, bank):
    admin, client = bank
    grant(owner, admin.organisation, purpose="credit_line")
    assert read(client, purpose="loan_application").status_code == 404
    assert read(client, purpose="credit_line").status_code == 200


def test_wrong_institution(owner, bank):
    admin, client = bank
    other_bank = make_org(kind=OrgKind.BANK)
    grant(owner, other_bank)
    assert read(client).status_code == 404
    # and a grant for E1 does not open E2
    grant(owner, admin.organisation)
    assert read(client, code=E2).status_code == 404


def test_expired_grant(owner, bank):
    admin, client = bank
    g = grant(owner, admin.organisation, days=1)
    assert read(client).status_code == 200
    m.ConsentGrant.objects.filter(pk=g.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert read(client).status_code == 404


def test_revocation_refuses_the_next_request(owner, bank):
    admin, client = bank
    g = grant(owner, admin.organisation)
    assert read(client).status_code == 200
    services.grant_revoke(actor=owner, grant_id=g.pk)
    assert read(client).status_code == 404
    with pytest.raises(Conflict):
        services.grant_revoke(actor=owner, grant_id=g.pk)


def test_another_enterprise_cannot_revoke(owner, bank):
    from innoreform.core.errors import NotFound

    admin, _ = bank
    g = grant(owner, admin.organisation)
    with pytest.raises(NotFound):
        services.grant_revoke(actor=enterprise_actor(E2), grant_id=g.pk)


def test_grant_needs_current_notice_and_valid_fields(owner, bank):
    admin, _ = bank
    with pytest.raises(Conflict) as exc:
        services.grant_create(actor=owner, institution_id=admin.organisation_id, categories=["basic"],
                              purpose="loan_application", valid_until=timezone.localdate() + timedelta(days=5),
                              notice_version=99)
    assert exc.value.code == "notice_outdated"
    with pytest.raises(ValidationFailed) as exc:
        services.grant_create(actor=owner, institution_id=make_org(kind=OrgKind.ENTERPRISE).pk,
                              categories=["everything"], purpose="curiosity",
                              valid_until=timezone.localdate(), notice_version=1)
    assert set(exc.value.details) == {"categories", "purpose", "valid_until", "institution_id"}


def test_members_below_administrator_cannot_grant(demo_registry, bank):
    from innoreform.core.errors import PermissionDenied

    admin, _ = bank
    with pytest.raises(PermissionDenied):
        grant(enterprise_actor(E1, role=Role.MEMBER), admin.organisation)


def test_access_history_shows_who_what_when_why(owner, bank):
    admin, client = bank
    grant(owner, admin.organisation, categories=["evaluation", "innovation_index"])
    read(client)
    read(client)
    history = list(selectors.access_history(actor=owner))
    assert len(history) == 2
    assert history[0].institution_id == admin.organisation_id
    assert history[0].purpose == "loan_application"
    assert history[0].categories == ["evaluation", "innovation_index"]
    assert history[0].accessed_by.startswith("apikey:")
    # through the portal API, as the enterprise sees it
    api = Client()
    api.force_login(owner.user)
    rows = api.get("/api/v1/registry/access-history").json()
    assert [r["institution"] for r in rows] == [admin.organisation.name] * 2
    # another enterprise sees none of it
    assert list(selectors.access_history(actor=enterprise_actor(E2))) == []


def test_bank_list_and_financing_outcome(owner, bank):
    admin, client = bank
    grant(owner, admin.organisation)
    listed = client.get("/api/bank/v1/enterprises").json()
    assert [e["credit_code"] for e in listed] == [E1]
    body = {"purpose": "loan_application", "reference": "LN-2025-001", "outcome": "approved",
            "amount_fen": 300_000_000, "annual_rate": "0.0385", "term_months": 12,
            "decided_on": timezone.localdate().isoformat()}
    url = f"/api/bank/v1/enterprises/{E1}/financing-outcomes"
    first = client.post(url, body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201, first.content
    again = client.post(url, body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    assert again.json() == first.json()
    assert m.FinancingOutcome.objects.count() == 1
    wrong = client.post(url, {**body, "purpose": "guarantee", "reference": "LN-2"}, content_type="application/json",
                        headers={"Idempotency-Key": "k2"})
    assert wrong.status_code == 404


def test_portal_grant_flow(owner, bank):
    admin, client = bank
    api = Client()
    api.force_login(owner.user)
    notice = api.get("/api/v1/registry/consent-notice").json()
    response = api.post("/api/v1/registry/grants", {
        "institution_id": admin.organisation_id, "categories": ["basic"], "purpose": "loan_application",
        "valid_until": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "notice_version": notice["version"]}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert read(client).status_code == 200
    gid = response.json()["id"]
    assert api.post(f"/api/v1/registry/grants/{gid}/revoke").status_code == 200
    assert read(client).status_code == 404


def test_institution_reads_granted_data_in_the_portal(owner, bank):
    """Issue 21: a bank reads a consented enterprise in the portal, not only through the API; the
    read is recorded like an API read, and only the granted categories show, labelled."""
    admin, _client = bank
    grant(owner, admin.organisation)
    page = Client()
    page.force_login(admin.user)
    listing = page.get("/registry/bank/enterprises/").content.decode()
    assert f'data-testid="read-{E1}-loan_application"' in listing and "/api/bank/" not in listing
    url = f"/registry/bank/enterprises/{E1}/read/"
    assert page.get(url).status_code == 405  # reading is recorded: a POST
    response = page.post(url, {"purpose": "loan_application"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-category="basic"' in html and 'data-category="ip"' in html and 'data-category="indicators"' not in html
    assert "{'" not in html and "_fen" not in html
    assert m.AccessRecord.objects.filter(institution_id=admin.organisation_id).count() == 1
    assert page.post(url, {"purpose": "investment"}).status_code == 404  # no grant for that purpose
    stranger = Client()
    stranger.force_login(make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR).user)
    assert stranger.post(url, {"purpose": "loan_application"}).status_code == 404
