"""The full flow, as a new user would meet it: a Dongguan SME posts a need, sees ranked products,
applies (granting the bank access through registry consent), the bank accepts, reads only the
granted data, approves, reports; the bank contracts and disburses a programme loan, takes
repayments, and a later default appears on the department's programme summary and dashboard."""

from datetime import timedelta

import pytest
from django.utils import timezone

from innoreform.books.models import Account
from innoreform.core.errors import Conflict, NotFound, ValidationFailed
from innoreform.core.models import AuditEvent, OrgKind
from innoreform.core.testing import make_org
from innoreform.financing import models as m
from innoreform.financing import selectors, services
from innoreform.financing.services import loans
from innoreform.registry import models as rm
from innoreform.registry import services as registry_services

from .conftest import api_client, make_need, make_product

pytestmark = pytest.mark.django_db
BANK = "/api/bank/v1/financing"


def _apply(sme, need, product, categories=("basic", "ip", "innovation_index")):
    version, _notice = registry_services.consent_notice()
    return services.application_submit(actor=sme, need_id=need.pk, product_id=product.pk,
                                       categories=list(categories),
                                       valid_until=timezone.localdate() + timedelta(days=60), notice_version=version)


def _post(client, url, body=None, key="k1"):
    return client.post(url, body or {}, content_type="application/json", headers={"Idempotency-Key": key})


def test_application_flow_with_consent(sme, bank, other_bank, province, dept_reviewer):
    product = make_product(bank)
    need = make_need(sme)
    ranked = selectors.match_need(actor=sme, need_id=need.pk)
    assert ranked[0].product.id == product.pk and ranked[0].eligible

    application = _apply(sme, need, product)
    grant = rm.ConsentGrant.objects.get(pk=application.consent_grant_id)
    assert (grant.institution_id, grant.purpose, grant.categories) == (bank.organisation_id, "loan_application",
                                                                       ["basic", "innovation_index", "ip"])
    with pytest.raises(Conflict):
        _apply(sme, need, product)  # one live application per need and product

    client = api_client(bank)
    # Deciding before accepting is a skipped step.
    r = _post(client, f"{BANK}/applications/{application.pk}/decide", {"approve": False, "reason": "x"}, key="d0")
    assert r.status_code == 409 and r.json()["code"] == "not_accepted"
    r = client.get(f"{BANK}/applications/{application.pk}/data")
    assert r.status_code == 409
    r = _post(client, f"{BANK}/applications/{application.pk}/accept", key="a1")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    replay = _post(client, f"{BANK}/applications/{application.pk}/accept", key="a1")
    assert replay.status_code == 200 and replay.json() == r.json()  # idempotent replay
    again = _post(client, f"{BANK}/applications/{application.pk}/accept", key="a2")
    assert again.status_code == 409 and again.json()["code"] == "wrong_status"
    no_key = client.post(f"{BANK}/applications/{application.pk}/accept", {}, content_type="application/json")
    assert no_key.status_code == 400 and no_key.json()["code"] == "idempotency_key_missing"

    r = client.get(f"{BANK}/applications/{application.pk}/data")
    assert r.status_code == 200, r.content
    body = r.json()
    assert sorted(body["data"]) == ["basic", "innovation_index", "ip"]  # only what was granted
    assert "indicators" not in body["data"] and "judicial" not in body["data"]
    assert rm.AccessRecord.objects.filter(institution=bank.organisation, enterprise__organisation=sme.organisation
                                          ).count() == 1

    # Another bank sees nothing of it.
    other = api_client(other_bank)
    assert other.get(f"{BANK}/applications/{application.pk}").status_code == 404
    assert other.get(f"{BANK}/applications/{application.pk}/data").status_code == 404

    r = _post(client, f"{BANK}/applications/{application.pk}/decide",
              {"approve": True, "amount_fen": 80_000_000, "annual_rate": "0.0385", "term_months": 12}, key="d1")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert r.json()["decision_seconds"] >= 0
    r = _post(client, f"{BANK}/applications/{application.pk}/report", {"reference": "YX-2026-001"}, key="r1")
    assert r.status_code == 200 and r.json()["reported_at"]
    assert rm.FinancingOutcome.objects.get(reference="YX-2026-001").amount_fen == 80_000_000

    times = selectors.decision_times(actor=dept_reviewer)
    row = next(t for t in times if t["institution_id"] == bank.organisation_id)
    assert (row["applications"], row["decided"], row["approved"], row["approval_rate"]) == (1, 1, 1, 1.0)
    assert row["median_hours"] is not None

    # The loan from the approved application: not above the approved amount.
    with pytest.raises(ValidationFailed) as exc:
        loans.loan_contract(actor=bank, application_id=application.pk, contract_no="C-1",
                            contract_on=timezone.localdate(), principal_fen=90_000_000)
    assert "principal_fen" in exc.value.details
    loan = loans.loan_contract(actor=bank, application_id=application.pk, contract_no="C-1",
                               contract_on=timezone.localdate())
    assert (loan.principal_fen, loan.borrower_id, loan.region) == (80_000_000, sme.organisation_id, "441900")


def test_revoked_consent_is_refused_on_next_read(sme, bank):
    product = make_product(bank)
    application = _apply(sme, make_need(sme), product)
    services.application_accept(actor=bank, application_id=application.pk)
    assert services.application_read_data(actor=bank, application_id=application.pk)["categories"]
    registry_services.grant_revoke(actor=sme, grant_id=application.consent_grant_id)
    with pytest.raises(NotFound):
        services.application_read_data(actor=bank, application_id=application.pk)


def test_ineligible_application_refused_with_reasons(sme, bank):
    product = make_product(bank, rules=[{"field": "innovation_index", "op": "gte", "value": 95}])
    need = make_need(sme)
    with pytest.raises(Conflict) as exc:
        _apply(sme, need, product)
    assert exc.value.code == "not_eligible"
    assert "below the required 95" in exc.value.details["reasons"][0]
    assert not rm.ConsentGrant.objects.exists()  # nothing half-written


def test_programme_loan_repayments_and_default_reach_the_dashboard(sme, bank, province, dept_reviewer):
    guarantor = make_org(kind=OrgKind.GUARANTOR)
    programme = services.programme_create(
        actor=dept_reviewer, code="ZYB-2026-DG", name="东莞政银保 2026", guarantor_id=guarantor.pk,
        selection_rules=[{"field": "region", "op": "in", "value": ["441900"]},
                         {"field": "tech_sme", "op": "is_true", "value": None}])
    assert programme.loss_sharing == {"bank": "20", "guarantor": "50", "insurer": "10", "public": "20"}
    with pytest.raises(Conflict):
        services.programme_activate(actor=dept_reviewer, programme_id=programme.pk)
    assert services.programme_select(actor=dept_reviewer, programme_id=programme.pk)["added"] == 1
    services.programme_credit_line_set(actor=dept_reviewer, programme_id=programme.pk, bank_id=bank.organisation_id,
                                       line_fen=150_000_000)
    services.programme_activate(actor=dept_reviewer, programme_id=programme.pk)

    start = timezone.localdate() - timedelta(days=400)
    loan = loans.loan_contract(actor=bank, programme_id=programme.pk, borrower_credit_code=sme.organisation.credit_code,
                               contract_no="ZYB-1", contract_on=start, principal_fen=120_000_000,
                               annual_rate="0.04", term_months=12, method="equal_principal")
    with pytest.raises(Conflict) as exc:
        loans.loan_contract(actor=bank, programme_id=programme.pk, borrower_credit_code=sme.organisation.credit_code,
                            contract_no="ZYB-2", contract_on=start, principal_fen=40_000_000, annual_rate="0.04",
                            term_months=12)
    assert exc.value.code == "line_exceeded"
    loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=start)
    first, second = loan.instalments.order_by("number")[:2]
    loans.loan_repay(actor=bank, loan_id=loan.pk, amount_fen=first.principal_fen + first.interest_fen,
                     paid_on=first.due_on)
    loans.loan_repay(actor=bank, loan_id=loan.pk, amount_fen=second.principal_fen + second.interest_fen,
                     paid_on=second.due_on)
    loan = loans.loan_refresh(actor=bank, loan_id=loan.pk)
    assert loan.status == m.LoanStatus.DEFAULTED and loan.classification in ("doubtful", "substandard", "loss")
    default = loan.default_event
    assert default.automatic and default.principal_fen == 100_000_000
    assert default.amount_fen == default.principal_fen + default.interest_fen

    summary = selectors.programme_summary(actor=dept_reviewer, programme_id=programme.pk)
    assert (summary["loans"], summary["defaults"], summary["repaid_principal_fen"]) == (1, 1, 20_000_000)
    assert summary["lines"][0]["used_fen"] == 120_000_000
    board = selectors.dashboard(actor=dept_reviewer)
    assert board["defaults"] == 1 and board["by_city"]["441900"]["principal_fen"] == 120_000_000
    # Issue 8 reads defaults and loans through selectors.
    assert [d.pk for d in selectors.defaults_for_pools(actor=dept_reviewer)] == [default.pk]
    claim = selectors.loan_for_claim(actor=bank, loan_id=loan.pk)
    assert claim["loss_sharing"]["guarantor"] == "50" and claim["default"]["amount_fen"] == default.amount_fen
    # The books hold the loan receivable at the outstanding principal.
    receivable = Account.objects.get(key=f"financing.loan:{loan.pk}")
    assert receivable.balance_fen == 100_000_000
    assert AuditEvent.objects.filter(action="financing.loan_defaulted").count() == 1
