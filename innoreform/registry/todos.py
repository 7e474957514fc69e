"""What awaits each user in the registry (tech-SME declarations, data authorisations), for the home
page (registered from RegistryConfig.ready), through this app's actor-scoped selectors."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoreform.core import todo
from innoreform.core.errors import NotFound
from innoreform.core.models import FINANCIAL_KINDS, OrgKind
from innoreform.core.todo import Figure, Figures, FigureSource, Item, TodoSource, Tone

from . import models as m
from . import selectors

OVERSIGHT = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})
ENTERPRISE = frozenset({OrgKind.ENTERPRISE})
GRANT_WARNING_DAYS = 30  # a lapsed authorisation stops a bank's review: warn a month ahead
RECENT_DAYS = 30


def _declaration(d: m.Declaration) -> Item:
    return Item(d.enterprise.name, reverse("registry:declaration_detail", args=[d.pk]), d.get_status_display(),
                d.submitted_at.date())


def declarations_to_review(actor):
    return todo.from_queryset(selectors.review_queue(actor=actor).select_related("enterprise"), item=_declaration)


def my_declarations(actor, statuses):
    return todo.from_queryset(selectors.declaration_list(actor=actor).filter(status__in=statuses), item=_declaration)


def grants_expiring(actor):
    today = timezone.localdate()
    qs = selectors.grant_list(actor=actor).filter(revoked_at__isnull=True, valid_until__gte=today,
                                                  valid_until__lte=today + timedelta(days=GRANT_WARNING_DAYS))
    return todo.from_queryset(qs.order_by("valid_until"), item=lambda g: Item(
        g.institution.name if actor.kind == OrgKind.ENTERPRISE else g.enterprise.name,
        reverse("registry:my_grants" if actor.kind == OrgKind.ENTERPRISE else "registry:bank_enterprises"),
        g.get_purpose_display(), g.valid_until))


def figures(actor):
    if actor.kind == OrgKind.ENTERPRISE:
        try:
            enterprise = selectors.own_enterprise(actor=actor)
        except NotFound:  # not in the registry yet: nothing to show
            return None
        index = selectors.latest_index(enterprise)
        listing = selectors.current_listing(enterprise)
        since = timezone.now() - timedelta(days=RECENT_DAYS)
        reads = selectors.access_history(actor=actor).filter(accessed_at__gte=since).count()
        return Figures([Figure(_("Innovation index"), index.score if index else "—", reverse("registry:my_profile")),
                        Figure(_("Tech-SME listing"), listing.year if listing else _("Not listed"),
                               reverse("registry:my_declarations")),
                        Figure(_("Data reads by institutions, last 30 days"), reads, reverse("registry:my_access"))])
    if actor.kind in OVERSIGHT:
        return Figures([Figure(_("Enterprises in the registry"), selectors.enterprise_list(actor=actor).count(),
                               reverse("registry:enterprise_list"))])
    return None


def register() -> None:
    S = m.DeclarationStatus
    for source in (
        TodoSource("registry.declarations", _("Tech-SME declarations to review"), declarations_to_review,
                   group="enterprises", url_name="registry:review_queue", kinds=OVERSIGHT,
                   operation="registry.review", order=10),
        TodoSource("registry.my_declarations", _("Tech-SME declarations in review"),
                   lambda actor: my_declarations(actor, [S.SUBMITTED, S.RECOMMENDED, S.APPROVED]),
                   group="enterprises", url_name="registry:my_declarations", kinds=ENTERPRISE, tone=Tone.WAITING,
                   order=10),
        TodoSource("registry.returned", _("Tech-SME declarations returned"),
                   lambda actor: my_declarations(actor, [S.REJECTED]), group="enterprises",
                   url_name="registry:my_declarations", kinds=ENTERPRISE, tone=Tone.OVERDUE, order=11),
        TodoSource("registry.grants_expiring", _("Data authorisations ending within 30 days"), grants_expiring,
                   group="enterprises", url_name="registry:my_grants", kinds=ENTERPRISE | frozenset(FINANCIAL_KINDS),
                   tone=Tone.DEADLINE, order=12),
    ):
        todo.register(source)
    todo.register_figures(FigureSource("registry", figures, kinds=ENTERPRISE | OVERSIGHT, order=10))

