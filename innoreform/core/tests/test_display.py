"""Values as people read them (issue 21): units, percentages, one date format, names for codes."""

from datetime import date

from django.utils import translation

from innoreform.core import display
from innoreform.core.industries import industry_label


def test_numbers_money_and_dates():
    with translation.override("zh-hans"):
        assert display.amount(420_000_000_000) == "4,200,000,000.00 元"
        assert display.yes_no(False) == "否"
    with translation.override("en"):
        assert display.amount(150) == "1.50 yuan"
    assert display.amount(None) == display.DASH
    assert display.percent("0.630285") == "63.03%"
    assert display.number(4200000000) == "4,200,000,000"
    assert display.day("2026-05-10") == display.day(date(2026, 5, 10)) == "2026-05-10"


def test_code_built_names_read_in_the_language():
    with translation.override("zh-hans"):
        assert display.code_name("Cash outside the platform") == "平台外资金"
        assert display.code_name("financing.interest") == "利息收入"
        assert display.code_name("创新券预算 2026 city 440600") == "创新券预算 2026 佛山市"
        assert display.code_name("创新券预算 2026 province") == "创新券预算 2026 省级"
        assert industry_label("C40") == "仪器仪表制造业 (C40)"
    with translation.override("en"):
        assert display.code_name("创新券预算 2026 city 440600") == "创新券预算 2026 Foshan"
    assert display.code_name("pool 7") == "pool 7"


def test_rates_are_typed_in_percent():
    from decimal import Decimal

    from innoreform.core.forms import PercentField

    field = PercentField(min_value=0, max_value=36, required=False)
    assert field.clean("3.85") == Decimal("0.0385")
    assert field.clean("") is None
