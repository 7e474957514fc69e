"""The voucher share of a fee never exceeds the scheme's rate (issue #19 item 10): it is rounded
down to the fen, so an odd fee at 50% leaves the extra fen to the enterprise."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from innoreform.vouchers import models as m
from innoreform.vouchers import money, use


def test_odd_fee_rounds_down():
    assert money.share_of(333, Decimal("0.5")) == 166
    assert money.share_of(1, Decimal("0.5")) == 0
    assert money.share_of(999, Decimal("0.7")) == 699  # 699.3


@given(fee=st.integers(min_value=0, max_value=10**15),
       rate=st.decimals(min_value=0, max_value=1, places=6, allow_nan=False, allow_infinity=False))
def test_share_never_above_rate(fee, rate):
    share = money.share_of(fee, rate)
    assert share <= fee * rate < share + 1


def test_order_for_an_odd_fee_takes_the_lower_fen(enterprise, voucher, institution):
    _inst_actor, service = institution
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk, fee_fen=333)
    assert m.Order.objects.get(pk=order.pk).voucher_fen == 166
