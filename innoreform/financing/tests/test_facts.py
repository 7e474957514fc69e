"""financing.facts reads the registry only through registry.selectors: same facts, same query count."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from innoreform.core.models import OrgKind, Role
from innoreform.core.testing import make_actor
from innoreform.financing import facts
from innoreform.registry import models as rm

from .conftest import registry_enterprise

# _with_flags (1), qualifications (1), latest index (1), current listing (1), latest indicator (1) and
# the credit app's score lookup; a regression here is an N+1 in matching (run per need).
FACTS_QUERIES = 7


def test_enterprise_facts_reads_flags_lists_and_ip_in_a_fixed_number_of_queries(db):
    actor = make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR)
    e = registry_enterprise(actor.organisation)
    today = timezone.localdate()
    rm.IntellectualProperty.objects.create(enterprise=e, kind="invention_patent", number="ZL1", status="lapsed")
    rm.IntellectualProperty.objects.create(enterprise=e, kind="utility_model", number="ZL2", status="valid")
    rm.DishonestDebtorEntry.objects.create(enterprise=e, case_number="(2024)1", court="c", listed_on=today,
                                           removed_on=today - timedelta(days=1))  # removed: not live
    rm.AbnormalOperationEntry.objects.create(enterprise=e, listed_on=today - timedelta(days=9), reason="r")
    rm.YearlyIndicator.objects.create(enterprise=e, year=today.year - 1, staff_total=51, sales_fen=7)

    with CaptureQueriesContext(connection) as ctx:
        got = facts.facts_for_organisation(actor.organisation)
    assert got["invention_patents"] == 2
    assert got["dishonest"] is False
    assert got["abnormal_operation"] is True
    assert got["qualifications"] == ["high_tech"]
    assert got["tech_sme"] is True
    assert got["innovation_index"] == 72.5
    assert (got["staff"], got["sales_fen"]) == (51, 7)
    assert len(ctx.captured_queries) <= FACTS_QUERIES, [q["sql"] for q in ctx.captured_queries]
    assert [ip.number for ip in facts.enterprise_ip(organisation=None, credit_code=e.credit_code,
                                                    numbers=["ZL1", "nope"])] == ["ZL1"]
