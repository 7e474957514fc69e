"""IP pledges link registry patents; equipment loans check the purchase invoice against the
loan's purpose, register the equipment with its disposal right, and on default the platform
disposes of it and the proceeds are a recovery; warrants expire and are exercised on time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from innoreform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innoreform.core.models import OrgKind, Role
from innoreform.core.testing import make_actor
from innoreform.financing import models as m
from innoreform.financing import services
from innoreform.financing.services import loans

pytestmark = pytest.mark.django_db


def _equipment_loan(bank, sme, days_ago=10):
    return loans.loan_contract(actor=bank, borrower_credit_code=sme.organisation.credit_code, contract_no="EQ-1",
                               contract_on=timezone.localdate() - timedelta(days=days_ago), principal_fen=3_000_000,
                               annual_rate="0.03", term_months=12, kind="equipment",
                               purpose_category="analytical_instrument", purpose_text="液相色谱仪")


def _invoice(sme, **kw):
    data = {"invoice_no": "INV-001", "seller_name": "示例仪器公司", "buyer_credit_code": sme.organisation.credit_code,
            "issued_on": timezone.localdate() - timedelta(days=5), "total_fen": 3_200_000,
            "lines": [{"name": "液相色谱仪", "category": "analytical_instrument", "serial_no": "SN1",
                       "amount_fen": 3_200_000}]}
    data.update(kw)
    return data


def test_equipment_purpose_checks(sme, bank):
    loan = _equipment_loan(bank, sme)
    with pytest.raises(Conflict) as exc:
        loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=timezone.localdate())
    assert exc.value.code == "invoice_missing"
    bad = _invoice(sme, buyer_credit_code="91440000MA0000001X", lines=[
        {"name": "办公家具", "category": "furniture", "amount_fen": 1_000_000},
        {"name": "液相色谱仪", "category": "analytical_instrument", "amount_fen": 2_000_000}])
    with pytest.raises(ValidationFailed) as exc:
        services.invoice_register(actor=bank, loan_id=loan.pk, **bad)
    assert exc.value.code == "purpose_mismatch"
    reasons = " ".join(exc.value.details["invoice"])
    assert "not the borrower" in reasons and "办公家具" in reasons and "not the invoice total" in reasons
    too_old = _invoice(sme, issued_on=loan.contract_on - timedelta(days=200))
    with pytest.raises(ValidationFailed) as exc:
        services.invoice_register(actor=bank, loan_id=loan.pk, **too_old)
    assert "outside the allowed window" in exc.value.details["invoice"][0]
    assert not m.PurchaseInvoice.objects.exists() and not m.Equipment.objects.exists()

    invoice = services.invoice_register(actor=bank, loan_id=loan.pk, **_invoice(sme))
    assert all(c["ok"] for c in invoice.checks)
    item = m.Equipment.objects.get()
    assert (item.status, item.disposal_right_holder, item.price_fen) == ("pledged", "platform", 3_200_000)
    with pytest.raises(Conflict):  # one invoice finances one loan
        services.invoice_register(actor=bank, loan_id=loan.pk, **_invoice(sme))
    loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=timezone.localdate() - timedelta(days=1))

    # On default the platform sells the equipment; the proceeds are a recovery.
    operator = make_actor(kind=OrgKind.PLATFORM_OPERATOR, role=Role.REVIEWER)
    with pytest.raises(Conflict):
        services.equipment_dispose(actor=operator, equipment_id=item.pk, mode="sell", on=timezone.localdate(),
                                  proceeds_fen=1_000_000, counterparty="另一企业")
    loans.loan_default_declare(actor=bank, loan_id=loan.pk, on=timezone.localdate(), reason="停业")
    with pytest.raises(PermissionDenied):  # the bank does not hold the disposal right
        services.equipment_dispose(actor=bank, equipment_id=item.pk, mode="sell", on=timezone.localdate(),
                                  proceeds_fen=1_000_000, counterparty="另一企业")
    item = services.equipment_dispose(actor=operator, equipment_id=item.pk, mode="sell", on=timezone.localdate(),
                                     proceeds_fen=1_800_000, counterparty="另一企业")
    assert item.status == "sold" and item.recovery.amount_fen == 1_800_000
    assert item.recovery.source == "equipment_sale"
    assert m.LoanDefault.objects.get().recovered_fen == 1_800_000


def test_ip_pledge_links_registry_patents(sme, bank, other_bank):
    loan = loans.loan_contract(actor=bank, borrower_credit_code=sme.organisation.credit_code, contract_no="IP-1",
                               contract_on=timezone.localdate(), principal_fen=5_000_000, annual_rate="0.035",
                               term_months=12, kind="ip_pledge")
    with pytest.raises(Conflict):
        loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=timezone.localdate())
    with pytest.raises(ValidationFailed) as exc:
        services.ip_pledge(actor=bank, loan_id=loan.pk, pledges=[{"number": "ZL-NOT-OURS", "appraised_value_fen": 1}])
    assert "holds no IP right" in exc.value.details["pledges.0.number"][0]
    made = services.ip_pledge(actor=bank, loan_id=loan.pk,
                             pledges=[{"number": "ZL202310000001.0", "appraised_value_fen": 8_000_000}])
    assert made[0].ip.enterprise.organisation_id == sme.organisation_id
    second = loans.loan_contract(actor=bank, borrower_credit_code=sme.organisation.credit_code, contract_no="IP-2",
                                 contract_on=timezone.localdate(), principal_fen=5_000_000, annual_rate="0.035",
                                 term_months=12, kind="ip_pledge")
    with pytest.raises(Conflict):  # already pledged to IP-1
        services.ip_pledge(actor=bank, loan_id=second.pk, pledges=[{"number": "ZL202310000001.0"}])
    with pytest.raises(NotFound):  # another bank's loan
        services.ip_pledge(actor=other_bank, loan_id=loan.pk, pledges=[{"number": "ZL202310000002.9"}])
    loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=timezone.localdate())


def test_investment_linked_and_warrants(sme, bank):
    investor = make_actor(kind=OrgKind.INVESTOR, role=Role.MEMBER)
    stake = services.stake_record(actor=investor, credit_code=sme.organisation.credit_code, amount_fen=50_000_000,
                                 share_percent="5", invested_on=timezone.localdate(),
                                 partner_bank_id=bank.organisation_id)
    loan = loans.loan_contract(actor=bank, borrower_credit_code=sme.organisation.credit_code, contract_no="TD-1",
                               contract_on=timezone.localdate() - timedelta(days=30), principal_fen=20_000_000,
                               annual_rate="0.04", term_months=24, kind="investment_linked")
    services.loan_link_stake(actor=bank, loan_id=loan.pk, stake_id=stake.pk)
    assert list(m.Loan.objects.filter(stakes__investor=investor.organisation)) == [loan]
    note = services.screening_note_add(actor=investor, credit_code=sme.organisation.credit_code,
                                      shared_with_id=bank.organisation_id, text="技术团队强，现金流偏紧")
    assert list(services.screening_notes(actor=bank)) == [note]

    wloan = loans.loan_contract(actor=bank, borrower_credit_code=sme.organisation.credit_code, contract_no="W-1",
                                contract_on=timezone.localdate() - timedelta(days=30), principal_fen=20_000_000,
                                annual_rate="0.04", term_months=24, kind="with_warrants")
    warrant = services.warrant_attach(actor=bank, loan_id=wloan.pk, share_percent="2", strike_fen=4_000_000,
                                     expires_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(Conflict) as exc:
        services.warrant_exercise(actor=bank, warrant_id=warrant.pk, on=timezone.localdate())
    assert exc.value.code == "expired"
    warrant = services.warrant_exercise(actor=bank, warrant_id=warrant.pk,
                                       on=timezone.localdate() - timedelta(days=2))
    assert warrant.status == "exercised"
