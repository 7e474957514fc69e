"""The registry's surface for other apps: system selectors (credit scoring, financing facts) and the
demo-seeding service the pools demo uses instead of writing registry rows itself."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from innoreform.core.errors import PermissionDenied
from innoreform.core.models import AuditEvent, OrgKind, Role
from innoreform.core.testing import make_actor, make_org
from innoreform.registry import models as m
from innoreform.registry import selectors, services


def _enterprise(code_org, **kw):
    return m.Enterprise.objects.create(credit_code=code_org.credit_code, name=code_org.name, region=code_org.region,
                                       **kw)


def test_listed_credit_codes_counts_live_entries_listed_by_the_day(db):
    today = timezone.localdate()
    live, removed, future = (_enterprise(make_org()) for _ in range(3))
    m.DishonestDebtorEntry.objects.create(enterprise=live, case_number="1", court="c", listed_on=today)
    m.DishonestDebtorEntry.objects.create(enterprise=removed, case_number="2", court="c", listed_on=today,
                                          removed_on=today)
    m.DishonestDebtorEntry.objects.create(enterprise=future, case_number="3", court="c",
                                          listed_on=today + timedelta(days=1))
    m.AbnormalOperationEntry.objects.create(enterprise=removed, listed_on=today, reason="r",
                                            removed_on=today + timedelta(days=1))
    assert selectors.listed_credit_codes(on=today) == {"dishonest_debtor": {live.credit_code},
                                                       "abnormal_operation": {removed.credit_code}}


def test_consent_allows_only_a_valid_grant_for_the_purpose(db):
    enterprise_actor = make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR)
    e = _enterprise(enterprise_actor.organisation, organisation=enterprise_actor.organisation)
    bank = make_org(kind=OrgKind.BANK)
    today = timezone.localdate()
    m.ConsentGrant.objects.create(enterprise=e, institution=bank, categories=["basic"], purpose="credit_line",
                                  valid_until=today - timedelta(days=1), notice_version=1,
                                  granted_by=enterprise_actor.user)
    assert not selectors.consent_allows(institution_id=bank.pk, credit_code=e.credit_code, purpose="credit_line")
    m.ConsentGrant.objects.create(enterprise=e, institution=bank, categories=["basic"], purpose="credit_line",
                                  valid_until=today + timedelta(days=30), notice_version=1,
                                  granted_by=enterprise_actor.user)
    assert selectors.consent_allows(institution_id=bank.pk, credit_code=e.credit_code, purpose="credit_line")
    assert not selectors.consent_allows(institution_id=bank.pk, credit_code=e.credit_code, purpose="guarantee")


def test_demo_enterprise_ensure_is_idempotent_audited_and_operator_only(db):
    firm = make_org(kind=OrgKind.ENTERPRISE)
    args = {"organisation": firm, "district": "黄埔区", "industry_code": "C39", "registered_on": date(2016, 8, 8),
            "patent_number": "ZL-TEST-1", "patent_title": "t"}
    with pytest.raises(PermissionDenied):
        services.demo_enterprise_ensure(actor=make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR), **args)
    operator = make_actor(kind=OrgKind.PLATFORM_OPERATOR, role=Role.ADMINISTRATOR)
    assert services.demo_enterprise_ensure(actor=operator, **args) == "ZL-TEST-1"
    assert services.demo_enterprise_ensure(actor=operator, **args) == "ZL-TEST-1"
    e = m.Enterprise.objects.get(credit_code=firm.credit_code)
    assert (e.organisation_id, e.district, e.industry_code) == (firm.pk, "黄埔区", "C39")
    assert list(e.ip_rights.values_list("number", "kind", "status")) == [("ZL-TEST-1", "invention_patent", "valid")]
    assert AuditEvent.objects.filter(action="registry.demo_enterprise_seeded").count() == 1
