"""A claim's rule lines read in the reader's language, whichever language it was filed in."""

import pytest
from django.utils import translation

from innoreform.pools.models import Claim

pytestmark = pytest.mark.django_db


def test_rule_lines_follow_the_reader_language():
    claim = Claim(lines=[{"rule": "total", "text": "补偿合计", "rate": None, "amount_fen": 5,
                          "texts": {"zh-hans": "补偿合计", "en": "Total compensation"}},
                         {"rule": "old", "text": "旧申请的说明", "rate": None, "amount_fen": None}])
    with translation.override("en"):
        assert [x["text"] for x in claim.rule_lines] == ["Total compensation", "旧申请的说明"]
    with translation.override("zh-hans"):
        assert [x["text"] for x in claim.rule_lines] == ["补偿合计", "旧申请的说明"]
