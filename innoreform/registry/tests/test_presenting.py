"""The consented data a bank reads in the portal is labelled fields in the reader's language:
every payload key has a label, codes become names, money is yuan with its unit, and nothing of
the Python payload (dict braces, None, fen keys) reaches the page (issue 21)."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from innoreform.core.regions import Region
from innoreform.registry import models as m
from innoreform.registry import presenting, sharing

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_category_of_every_demo_enterprise_is_labelled(demo_registry, lang):
    categories = list(m.DataCategory.values)
    with translation.override(lang):
        for enterprise in m.Enterprise.objects.all():
            html = render_to_string("registry/includes/granted_data.html",
                                    {"sections": presenting.sections(sharing.payload(enterprise, categories))})
            for raw in ("{'", "None", "_fen", "True", "False", "[]"):
                assert raw not in html, (enterprise.credit_code, raw)
            if lang == "zh-hans":
                assert "Sales" not in html and "yuan" not in html


def test_codes_become_names_and_money_has_its_unit(demo_registry):
    enterprise = m.Enterprise.objects.exclude(industry_code="").exclude(registered_capital_fen=None).first()
    with translation.override("zh-hans"):
        basic = presenting.sections(sharing.payload(enterprise, ["basic"]))[0]
        fields = dict(basic.fields)
        assert fields[translation.gettext("City")] == Region(enterprise.region).label
        industry = fields[translation.gettext("Industry")]
        capital = fields[translation.gettext("Registered capital")]
    assert f"({enterprise.industry_code})" in industry and not industry.startswith(enterprise.industry_code)
    assert capital.endswith(" 元") and "," in capital
