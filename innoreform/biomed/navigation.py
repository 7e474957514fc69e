from django.utils.translation import gettext_lazy as _

from innoreform.core import nav
from innoreform.core.nav import NavItem

from .permissions import CUSTOMS, ENTERPRISE, OVERSIGHT


def register() -> None:
    # Special goods belong to the "Reform programmes" group (core.nav claims the biomed namespace).
    nav.register(NavItem(label=_("Special goods"), url_name="biomed:home", order=10, kinds=ENTERPRISE | OVERSIGHT))
    nav.register(NavItem(label=_("Special-goods write-off ledger"), url_name="biomed:ledger", order=11,
                         kinds=ENTERPRISE | CUSTOMS))
    nav.register(NavItem(label=_("Special-goods statistics"), url_name="biomed:statistics", order=12,
                         operation="biomed.statistics"))
