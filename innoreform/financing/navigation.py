"""Navigation entries for the financing pages (registered from FinancingConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from innoreform.core import nav
from innoreform.core.models import OrgKind

from .permissions import FINANCIAL, OVERSIGHT

ENTERPRISE = frozenset({OrgKind.ENTERPRISE})


def register() -> None:
    for item in (
        nav.NavItem(label=_("Financing centre"), url_name="financing:centre", kinds=ENTERPRISE, order=30),
        nav.NavItem(label=_("Financing pipeline"), url_name="financing:pipeline", kinds=FINANCIAL, order=30),
        nav.NavItem(label=_("Loans"), url_name="financing:loans", kinds=FINANCIAL | ENTERPRISE | OVERSIGHT, order=31),
        nav.NavItem(label=_("Financing dashboard"), url_name="financing:dashboard", kinds=OVERSIGHT, order=30),
        nav.NavItem(label=_("Collective credit programmes"), url_name="financing:programmes",
                    kinds=OVERSIGHT | FINANCIAL, order=32),
        nav.NavItem(label=_("Equipment registry"), url_name="financing:equipment",
                    kinds=OVERSIGHT | frozenset({OrgKind.BANK}), order=33),
    ):
        nav.register(item)
