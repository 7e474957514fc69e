import pytest

from innoreform.core import demo as core_demo
from innoreform.registry import demo
from innoreform.registry import models as m


@pytest.mark.django_db
def test_demo_loads_and_is_idempotent():
    core_demo.load()
    operator = core_demo.operator_actor()
    demo.load(operator=operator)
    count = m.Enterprise.objects.count()
    assert count >= 5
    linked = m.Enterprise.objects.filter(organisation__isnull=False).count()
    assert linked >= 1  # core demo enterprises can sign in and find their record
    applied = m.ImportBatch.objects.filter(status="applied").count()
    demo.load(operator=operator)
    assert m.Enterprise.objects.count() == count
    assert m.ImportBatch.objects.filter(status="applied").count() == applied
