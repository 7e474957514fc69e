"""What awaits this user: each app registers its to-do sources and key figures in AppConfig.ready(),
the same way it registers navigation, and the home page shows them.

    todo.register(TodoSource(
        key="vouchers.claims_to_review", label=_("Voucher claims to review"), group="vouchers",
        kinds={OrgKind.DEPARTMENT}, min_role=Role.REVIEWER, url_name="vouchers:review_queue",
        compute=lambda actor: todo.from_queryset(selectors.review_queue(actor=actor), item=...)))

    todo.register_figures(FigureSource(key="vouchers", kinds={OrgKind.ENTERPRISE}, compute=...))

A source's `compute(actor)` returns a `Due` (a count and the first few items, each with a link)
computed through the app's own actor-scoped selectors, or None when nothing applies. It runs on
every home page view, so it must be cheap: one COUNT and one LIMITed query. A source that raises
is logged and left out, so one app's bug does not take every home page down.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from .actor import Actor

log = logging.getLogger("innoreform.core.todo")

FIRST_ITEMS = 3  # items listed under each count on the home page


class Tone:
    ACTION = "action"  # someone must act (review, approve, decide)
    OVERDUE = "overdue"  # past a deadline
    WAITING = "waiting"  # the user's own things waiting on someone else, or returned for changes
    DEADLINE = "deadline"  # a date is coming


@dataclass(frozen=True)
class Item:
    label: Any
    url: str = ""
    detail: Any = ""
    due: date | None = None


@dataclass(frozen=True)
class Due:
    count: int
    items: list[Item] = field(default_factory=list)
    url: str = ""  # overrides the source's url_name (e.g. a filtered list)


@dataclass(frozen=True)
class TodoSource:
    key: str
    label: Any
    compute: Callable[[Actor], "Due | None"]
    group: str = ""  # the nav group it belongs to (see nav.GROUPS), for the home page's headings
    url_name: str = ""  # the full list
    kinds: frozenset[str] | None = None  # None: every kind
    min_role: str = "member"
    operation: str | tuple[str, ...] | None = None  # or gate on policy operation(s): any one suffices
    tone: str = Tone.ACTION
    order: int = 50


@dataclass(frozen=True)
class Figure:
    label: Any
    value: Any  # already formatted for display
    url: str = ""


@dataclass(frozen=True)
class Chart:
    """A small bar chart for the home page: one series of numbers over labelled categories."""

    title: Any
    labels: list[Any]
    values: list[float]
    unit: Any = ""


@dataclass(frozen=True)
class Figures:
    figures: list[Figure] = field(default_factory=list)
    chart: Chart | None = None


@dataclass(frozen=True)
class FigureSource:
    key: str
    compute: Callable[[Actor], "Figures | None"]
    kinds: frozenset[str] | None = None
    min_role: str = "member"
    operation: str | tuple[str, ...] | None = None
    order: int = 50


_sources: dict[str, TodoSource] = {}
_figure_sources: dict[str, FigureSource] = {}


def register(source: TodoSource) -> None:
    _sources.setdefault(source.key, source)


def register_figures(source: FigureSource) -> None:
    _figure_sources.setdefault(source.key, source)


def _applies(actor: Actor, kinds, min_role: str, operation) -> bool:
    from .nav import operation_allowed

    if kinds is not None and actor.kind not in kinds:
        return False
    return actor.has_role(min_role) and operation_allowed(actor, operation)


def _url(url_name: str) -> str:
    if not url_name:
        return ""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return ""


def todos_for(actor: Actor | None) -> list[dict]:
    """The actor's non-empty to-dos, in registration order within `order`: label, count, items, url, tone."""
    if actor is None or actor.organisation is None:
        return []
    out = []
    for source in sorted(_sources.values(), key=lambda s: (s.order, s.key)):
        if not _applies(actor, source.kinds, source.min_role, source.operation):
            continue
        try:
            due = source.compute(actor)
        except Exception:  # one app's failure must not hide every other to-do
            log.exception("to-do source %s failed", source.key)
            continue
        if due is None or due.count <= 0:
            continue
        out.append({"key": source.key, "label": source.label, "count": due.count, "items": due.items[:FIRST_ITEMS],
                    "url": due.url or _url(source.url_name), "tone": source.tone, "group": source.group})
    return out


def figures_for(actor: Actor | None) -> tuple[list[Figure], list[Chart]]:
    if actor is None or actor.organisation is None:
        return [], []
    figures: list[Figure] = []
    charts: list[Chart] = []
    for source in sorted(_figure_sources.values(), key=lambda s: (s.order, s.key)):
        if not _applies(actor, source.kinds, source.min_role, source.operation):
            continue
        try:
            result = source.compute(actor)
        except Exception:
            log.exception("figure source %s failed", source.key)
            continue
        if result is None:
            continue
        figures += result.figures
        if result.chart is not None and result.chart.values:
            charts.append(result.chart)
    return figures, charts


def from_queryset(qs: QuerySet, *, item: Callable[[Any], Item], limit: int = FIRST_ITEMS) -> Due:
    """The usual source body: the count of an actor-scoped queryset and its first few rows as items."""
    count = qs.count()
    if not count:
        return Due(0)
    return Due(count, [item(row) for row in qs[:limit]])


def sources() -> list[TodoSource]:
    """Every registered source (tests check each app registers its own)."""
    return list(_sources.values())
