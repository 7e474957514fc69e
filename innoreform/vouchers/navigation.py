from django.utils.translation import gettext_lazy as _

from innoreform.core import nav
from innoreform.core.nav import NavItem


def register() -> None:
    nav.register(NavItem(label=_("Innovation vouchers"), url_name="vouchers:home", order=20,
                         kinds=frozenset({"enterprise", "service_institution", "department", "platform_operator"})))
    nav.register(NavItem(label=_("Voucher reports"), url_name="vouchers:reports", order=21,
                         operation="vouchers.view_all"))
