from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolsConfig(AppConfig):
    name = "innoreform.pools"
    label = "pools"
    verbose_name = _("Risk-compensation pools")

    def ready(self) -> None:
        from innoreform.books import reconciliation
        from innoreform.core import nav
        from innoreform.core.nav import NavItem

        # rules and investor_rules register the policies "pools.compensation" and "pools.investor_cover".
        from . import investor_rules, reconcile, rules  # noqa: F401

        reconciliation.register_source("pools", reconcile.expectations)
        oversight = frozenset({"department", "platform_operator"})
        claimants = frozenset({"bank", "guarantor", "investor"})
        nav.register(NavItem(label=_("Compensation claims"), url_name="pools:claims", order=60,
                             kinds=claimants | oversight))
        nav.register(NavItem(label=_("Risk pools"), url_name="pools:pools", order=61, kinds=oversight))
        nav.register(NavItem(label=_("Pool reports"), url_name="pools:reports", order=62, kinds=oversight))

        from . import todos  # the home page's to-dos

        todos.register()
