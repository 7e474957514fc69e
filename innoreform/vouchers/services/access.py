"""What every voucher write checks first: the actor may do it, the scheme in force, amounts in bounds."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from innoreform.core.errors import field_error
from innoreform.core.selectors import policy_in_force

from ..permissions import require as require
from ..policies import POLICY_KEY, SchemeParams

MAX_FEN = 10**13  # 100 billion yuan: bounds every amount a user can type


def scheme(on: date | None = None) -> tuple[int, SchemeParams]:
    version = policy_in_force(POLICY_KEY, on)
    return version.version, SchemeParams(**version.parameters)


def check_amount(field: str, value: int, *, allow_zero: bool = False) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < (0 if allow_zero else 1) or value > MAX_FEN:
        raise field_error(field, _("Give a whole number of fen between 1 and 10^13."))
