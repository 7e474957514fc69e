from django.utils.translation import gettext_lazy as _

from innoreform.core import nav
from innoreform.core.models import OrgKind
from innoreform.core.nav import NavItem

PARTIES = frozenset({OrgKind.ENTERPRISE, OrgKind.SERVICE_INSTITUTION, OrgKind.COLLEGE})


def register() -> None:
    # IP cases sit with patents ("Patents and IP"); notarial evidence with the ledger ("Trust and evidence").
    nav.register(NavItem(label=_("IP cases"), url_name="ipcases:home", order=55,
                         kinds=PARTIES | {OrgKind.COURT, OrgKind.MEDIATION_BODY}))
    nav.register(NavItem(label=_("Case deadlines"), url_name="ipcases:deadlines", order=56,
                         kinds=PARTIES | {OrgKind.COURT, OrgKind.MEDIATION_BODY, OrgKind.NOTARY_OFFICE}))
    nav.register(NavItem(label=_("IP court dashboard"), url_name="ipcases:dashboard", order=57,
                         operation="ipcases.dashboard"))
    nav.register(NavItem(label=_("Notarial evidence"), url_name="ipcases:notarial_list", order=82, group="trust",
                         kinds=PARTIES | {OrgKind.COURT, OrgKind.NOTARY_OFFICE}))
