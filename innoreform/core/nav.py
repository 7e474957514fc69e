"""Role-aware navigation. Each app registers its entries in AppConfig.ready():

    nav.register(NavItem(label=_("Vouchers"), url_name="vouchers:home", kinds={OrgKind.ENTERPRISE}))
"""

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from .actor import Actor


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    kinds: frozenset[str] | None = None  # None: every kind
    min_role: str = "member"
    order: int = 50
    operation: str | tuple[str, ...] | None = None  # or gate on permission operation(s): any one suffices
    extra: dict = field(default_factory=dict)


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _items):
        _items.append(item)


def items_for(actor: Actor | None) -> list[dict]:
    from .permissions import can

    if actor is None or actor.organisation is None:
        return []
    visible = []
    for item in sorted(_items, key=lambda i: (i.order, str(i.label))):
        if item.kinds is not None and actor.kind not in item.kinds:
            continue
        if not actor.has_role(item.min_role):
            continue
        operations = (item.operation,) if isinstance(item.operation, str) else (item.operation or ())
        if operations and not any(can(actor, op) for op in operations):
            continue
        try:
            visible.append({"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name,
                            "extra": item.extra})
        except NoReverseMatch:
            continue
    return visible
