"""The demo loads end to end (a Dongguan SME's need, products from the demo bank, an approved
application with consent, a programme loan with repayments and a default) and every page renders
for the role it is for, with the Excel export."""

import pytest
from django.test import Client

from innoreform.core import demo as core_demo
from innoreform.core.models import User
from innoreform.financing import demo, selectors
from innoreform.financing import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    core_demo.load()
    demo.load(operator=core_demo.operator_actor())
    demo.load(operator=core_demo.operator_actor())  # idempotent


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_demo_story_and_pages(loaded):
    assert m.Product.objects.count() == 6 and m.FinancingNeed.objects.count() == 1
    application = m.Application.objects.get()
    assert application.status == "approved" and application.reported_at is not None
    programme = m.Programme.objects.get()
    assert programme.status == "active" and programme.loans.count() == 2
    assert m.LoanDefault.objects.count() == 1 and m.Repayment.objects.count() == 2

    sme = _client("ent-dongguan")
    assert sme.get("/financing/").status_code == 200
    page = sme.get(f"/financing/needs/{m.FinancingNeed.objects.get().pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "粤科科技信用贷（演示）" in html and 'data-testid="above-next"' in html

    bank = _client("bank-gz")
    assert bank.get("/financing/pipeline/").status_code == 200
    assert bank.get(f"/financing/applications/{application.pk}/").status_code == 200
    export = bank.get("/financing/loans/?format=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert bank.get("/financing/loans/template.xlsx").status_code == 200
    # The menu's own context variable once shadowed the page's list (issue 21).
    assert bank.get("/financing/equipment/").status_code == 200

    dept = _client("dept-science")
    board = dept.get("/financing/dashboard/")
    assert board.status_code == 200 and b"financing-chart" in board.content
    detail = dept.get(f"/financing/programmes/{programme.pk}/")
    assert detail.status_code == 200
    assert 'data-testid="prog-defaults">1<' in detail.content.decode()
    summary = selectors.programme_summary(actor=selectors_actor("dept-science"), programme_id=programme.pk)
    assert summary["repaid_principal_fen"] == 20_000_000 and summary["defaults"] == 1
    # Other roles do not get these pages.
    assert sme.get("/financing/dashboard/").status_code == 404
    assert _client("guarantor-gz").get(f"/financing/applications/{application.pk}/").status_code == 404


def selectors_actor(username):
    from innoreform.core.actor import Actor

    return Actor.for_user(User.objects.get(username=username))


def test_need_form_and_apply_through_pages(loaded):
    sme = _client("ent-dongguan")
    r = sme.post("/financing/", {"amount": "800000", "term_months": 24, "purpose": "equipment",
                                 "urgency": "normal", "preferred_kinds": ["equipment_loan"]})
    assert r.status_code == 302
    need = m.FinancingNeed.objects.order_by("-id").first()
    assert need.amount_fen == 80_000_000
    product = m.Product.objects.get(kind="equipment_loan")
    r = sme.post(f"/financing/needs/{need.pk}/", {"product_id": product.pk, "categories": ["basic", "ip"],
                                                  "valid_until": "2099-01-01", "notice_version": 1})
    assert r.status_code == 200  # three years at most: the form shows the registry's reason
    assert m.Application.objects.filter(need=need).count() == 0
