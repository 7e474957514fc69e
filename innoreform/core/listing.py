"""A reusable list page: filters, paging and CSV/Excel export in one call.

Every portal list (here and in the other apps) follows the same shape::

    from innoreform.core.exports import Column
    from innoreform.core.listing import list_page

    class VoucherFilter(forms.Form):            # every field optional
        status = forms.ChoiceField(choices=[("", "—"), *Status.choices], required=False)
        q = forms.CharField(required=False)

    COLUMNS = [Column(_("Number"), lambda v: v.number), Column(_("Status"), lambda v: v.get_status_display())]

    @portal_view  # innoreform.core.views: login, actor, NotFound -> 404
    def voucher_list(request):
        return list_page(
            request,
            form_class=VoucherFilter,
            rows=lambda filters: selectors.voucher_list(actor=request.actor, **filters),
            columns=COLUMNS,
            template="books/voucher_list.html",
            filename="vouchers",
        )

What it does:

* binds ``form_class`` to ``request.GET``; the cleaned values that are not empty are passed to
  ``rows(filters)`` as a dict. A field with a bad value shows its error and is left out of the
  filters (the valid fields still apply), so bad input never becomes a 500;
* ``?format=csv`` or ``?format=xlsx`` returns the whole filtered list through
  ``innoreform.core.exports.export_response`` with ``columns`` (headers translated, formula cells
  neutralised); any other ``format`` value is ignored;
* otherwise paginates (``per_page``, ``?page=``; out-of-range pages show the last page) and renders
  ``template`` with ``page`` (a Django Page), ``rows`` (its objects), ``form``, ``columns``,
  ``export_formats`` and everything in ``context``.

In the template, include the shared pieces::

    {% include "core/includes/filters.html" %}      {# the filter form (GET) #}
    <table>... {% for row in rows %} ... {% endfor %}</table>
    {% include "core/includes/pagination.html" %}   {# count, page links and CSV / Excel links, keeping the filters #}

(pagination.html already includes export.html; including both showed the export links twice.)

Use a ``form_class`` whose ``__init__`` accepts ``actor=`` when choices depend on the actor (pass
``form_kwargs={"actor": request.actor}``).
"""

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .exports import EXPORT_FORMATS, Column, export_response

DEFAULT_PER_PAGE = 25
MAX_EXPORT_ROWS = 100_000


def active_filters(form: forms.Form) -> dict[str, Any]:
    """Cleaned values that were actually given (empty strings and None dropped). Fields with errors
    are left out (Django removes them from cleaned_data); the valid ones still apply."""
    form.is_valid()
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in (None, "", [], (), False)}


def list_page(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    rows: Callable[[dict[str, Any]], QuerySet | Sequence],
    columns: Sequence[Column],
    template: str,
    filename: str,
    per_page: int = DEFAULT_PER_PAGE,
    context: dict[str, Any] | None = None,
    form_kwargs: dict[str, Any] | None = None,
) -> HttpResponse:
    form = form_class(request.GET or None, **(form_kwargs or {}))
    filters = active_filters(form) if request.GET else {}
    result = rows(filters)
    fmt = request.GET.get("format", "")
    if fmt in EXPORT_FORMATS:
        items = result[:MAX_EXPORT_ROWS]
        if isinstance(items, QuerySet):
            items = items.iterator(chunk_size=2000)
        return export_response(filename=filename, columns=columns, rows=items, fmt=fmt)
    paginator = Paginator(result, per_page)
    page = paginator.get_page(request.GET.get("page"))
    ctx = {
        "form": form,
        "page": page,
        "rows": page.object_list,
        "columns": columns,
        "export_formats": EXPORT_FORMATS,
        "filtered": bool(filters),
    }
    ctx.update(context or {})
    return render(request, template, ctx)
