"""Navigation entries for the registry's pages (registered from RegistryConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from innoreform.core import nav
from innoreform.core.models import FINANCIAL_KINDS, OrgKind

OVERSIGHT = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})
ENTERPRISE = frozenset({OrgKind.ENTERPRISE})


def register() -> None:
    items = [
        nav.NavItem(label=_("My enterprise profile"), url_name="registry:my_profile", kinds=ENTERPRISE, order=20),
        nav.NavItem(label=_("Tech-SME declaration"), url_name="registry:my_declarations", kinds=ENTERPRISE,
                    order=21),
        nav.NavItem(label=_("Data authorisations"), url_name="registry:my_grants", kinds=ENTERPRISE, order=22),
        nav.NavItem(label=_("Data access history"), url_name="registry:my_access", kinds=ENTERPRISE, order=23),
        nav.NavItem(label=_("Enterprise registry"), url_name="registry:enterprise_list", kinds=OVERSIGHT, order=20),
        nav.NavItem(label=_("Registry imports"), url_name="registry:import_list", kinds=OVERSIGHT, order=21),
        nav.NavItem(label=_("Tech-SME review queue"), url_name="registry:review_queue", kinds=OVERSIGHT, order=22,
                    min_role="reviewer"),
        nav.NavItem(label=_("Tech-SME public list"), url_name="registry:public_list", kinds=OVERSIGHT, order=23),
        nav.NavItem(label=_("Registry dashboard"), url_name="registry:dashboard", kinds=OVERSIGHT, order=24),
        nav.NavItem(label=_("Authorised enterprises"), url_name="registry:bank_enterprises",
                    kinds=frozenset(FINANCIAL_KINDS), order=20),
    ]
    for item in items:
        nav.register(item)
