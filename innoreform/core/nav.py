"""Role-aware navigation, grouped by measure. Each app registers its entries in AppConfig.ready():

    nav.register(NavItem(label=_("Vouchers"), url_name="vouchers:home", kinds={OrgKind.ENTERPRISE}))

An item belongs to the group its `group` names, or else to the group that claims its URL
namespace ("vouchers:home" -> the group whose `namespaces` include "vouchers"). The header shows
at most MAX_GROUPS groups, so a new measure joins one of the groups below (add its namespace to
`namespaces`, or pass `group=`) rather than adding a top-level entry.
"""

import importlib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .actor import Actor

MAX_GROUPS = 8  # what fits one menu bar at 1280 px in both languages, and a phone's screen without scrolling


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: Any
    order: int
    namespaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    kinds: frozenset[str] | None = None  # None: every kind
    min_role: str = "member"
    order: int = 50
    operation: str | tuple[str, ...] | None = None  # or gate on permission operation(s): any one suffices
    extra: dict = field(default_factory=dict)
    group: str = ""  # a NavGroup key; empty: the group claiming the url_name's namespace


# The measures' groups. Room is kept for the measures still to come: research funding joins
# vouchers, IP cases joins patents, special goods, vocational linkage and reform tracking join
# "programmes".
GROUPS: dict[str, NavGroup] = {}


def register_group(group: NavGroup) -> None:
    if group.key not in GROUPS and len(GROUPS) >= MAX_GROUPS:
        raise ValueError(f"at most {MAX_GROUPS} navigation groups; add {group.key!r}'s pages to an existing group")
    GROUPS.setdefault(group.key, group)


for _group in (
    NavGroup("enterprises", _("Enterprises and evaluation"), 10, ("registry", "credit")),
    NavGroup("vouchers", _("Vouchers and funding"), 20, ("vouchers", "funding")),
    NavGroup("financing", _("Financing and loans"), 30, ("financing",)),
    NavGroup("pools", _("Risk pools and funds"), 40, ("pools", "books")),
    NavGroup("patents", _("Patents and IP"), 50, ("patents", "ipcases")),
    NavGroup("trust", _("Trust and evidence"), 60, ("ledger",)),
    NavGroup("programmes", _("Reform programmes"), 70, ("biomed", "vocational", "reform", "alliances", "projects")),
    NavGroup("admin", _("Administration"), 80, ("core",)),
):
    register_group(_group)


_items: list[NavItem] = []


@cache
def _app_can(app: str):
    """The `can` of the app owning an operation ("vouchers.review" -> innoreform.vouchers' table), or None
    for core's own operations. Apps keep their operation tables to themselves, so core's `can` alone
    would refuse every app operation (it hid "Voucher reports" from everyone)."""
    name = f"innoreform.{app}.permissions"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name and exc.name != f"innoreform.{app}":
            raise
        return None
    return getattr(module, "can", None)


def operation_allowed(actor: Actor, operation: str | tuple[str, ...] | None) -> bool:
    """True when there is no gate, or the actor may perform any one of the operations."""
    from .permissions import can

    operations = (operation,) if isinstance(operation, str) else (operation or ())
    if not operations:
        return True
    return any((_app_can(op.split(".", 1)[0]) or can)(actor, op) for op in operations)


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _items):
        _items.append(item)


def group_of(item: NavItem) -> str:
    if item.group in GROUPS:
        return item.group
    namespace = item.url_name.split(":", 1)[0]
    return next((g.key for g in GROUPS.values() if namespace in g.namespaces), "admin")


def items_for(actor: Actor | None) -> list[dict]:
    """The actor's entries, in a fixed order (group, order, url name): the same in every language."""
    if actor is None or actor.organisation is None:
        return []
    visible = []
    rank = {key: g.order for key, g in GROUPS.items()}

    def position(item: NavItem):
        return (rank.get(group_of(item), 99), item.order, item.url_name)

    for item in sorted(_items, key=position):
        if item.kinds is not None and actor.kind not in item.kinds:
            continue
        if not actor.has_role(item.min_role):
            continue
        if not operation_allowed(actor, item.operation):
            continue
        try:
            visible.append({"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name,
                            "extra": item.extra, "group": group_of(item)})
        except NoReverseMatch:
            continue
    return visible


def groups_for(actor: Actor | None, path: str = "") -> list[dict]:
    """The header's menu bar: the actor's non-empty groups, each with its items; the group holding
    the page at `path` (exactly, or the longest item URL it starts with) is marked current."""
    items = [i for i in items_for(actor) if i["url_name"] != "core:home"]
    current_url = ""
    for item in items:
        url = item["url"]
        if url != "/" and path.startswith(url) and len(url) > len(current_url):
            current_url = url
    groups: dict[str, dict] = {}
    for item in items:
        group = groups.get(item["group"])
        if group is None:
            spec = GROUPS[item["group"]]
            group = groups[item["group"]] = {"key": spec.key, "label": spec.label, "items": [], "current": False}
        item = {**item, "current": item["url"] == current_url, "page": item["url"] == path}
        group["items"].append(item)
        group["current"] = group["current"] or item["current"]
    return list(groups.values())
