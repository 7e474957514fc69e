"""Money helpers: one meaning per name, one way to show yuan."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from innoreform.core.money import fen_to_yuan, percent_of
from innoreform.core.templatetags.portal import yuan
from innoreform.vouchers.money import share_of


@pytest.mark.parametrize(("amount", "percent", "expected"), [
    (1000, Decimal("50"), 500),
    (1, Decimal("50"), 1),  # half a fen rounds up
    (333, Decimal("33.3333"), 111),
    (0, Decimal("70"), 0),
])
def test_percent_of_takes_a_percent(amount, percent, expected):
    assert percent_of(amount, percent) == expected


def test_a_share_is_a_fraction_and_a_percent_is_a_hundredfold():
    # Same unit, different rounding: a voucher's share is rounded down (never above its rate, #19),
    # a percent half up; on amounts that divide exactly they agree.
    for amount in (100, 1000, 123_456_700):
        assert share_of(amount, Decimal("0.5")) == percent_of(amount, Decimal("50"))
        assert share_of(amount, Decimal("0.35")) == percent_of(amount, Decimal("35"))
    assert share_of(1, Decimal("0.5")) == 0
    assert percent_of(1, Decimal("50")) == 1


@pytest.mark.parametrize(("value", "expected"), [
    (123456789, "1,234,567.89"), (-5, "-0.05"), (0, "0.00"), ("250", "2.50"), (Decimal("100"), "1.00"),
    (None, ""), ("", ""), ("n/a", ""),
])
def test_yuan_filter(value, expected):
    assert yuan(value) == expected
    if value is not None and value != "n/a":
        assert fen_to_yuan(int(value or 0)) == (expected or "0.00")


@pytest.mark.parametrize("library", ["portal", "books", "financing", "vouchers_tags"])
def test_every_library_shows_yuan_the_same_way(library):
    rendered = Template("{% load " + library + " %}{{ a|yuan }}|{{ b|yuan }}").render(Context({"a": 100050, "b": None}))
    assert rendered == "1,000.50|"
