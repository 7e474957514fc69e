"""Pages: datasets and imports, the landscape of an industry, the downloadable report, the topic
database (browse and Excel export) and the rule table."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innoreform.core.errors import DomainError
from innoreform.core.exports import Column, export_response
from innoreform.core.views import portal_view

from . import pdf, permissions, selectors, services
from .engine.ipc import wipo_fields
from .engine.landscape import CITY_NAMES_ZH
from .models import Position


@portal_view
def index(request):
    actor = request.actor
    permissions.require(actor, "patents.view", hide=True)
    if request.method == "POST":
        permissions.require(actor, "patents.import", hide=True)
        files = [(f.name, f.read()) for f in request.FILES.getlist("files")]
        try:
            dataset = services.dataset_import_start(actor=actor, name=request.POST.get("name", ""), files=files)
        except DomainError as exc:
            messages.error(request, " ".join(m for msgs in exc.details.values() for m in msgs) or str(exc.message))
            return redirect("patents:index")
        messages.success(request, _("Import started."))
        return redirect("patents:dataset", pk=dataset.pk)
    return render(request, "patents/index.html", {
        "datasets": selectors.dataset_list(actor=actor)[:100],
        "can_import": permissions.can(actor, "patents.import"),
        "industries": selectors.industry_list(selectors.ruleset_in_force()),
    })


@portal_view
def dataset_detail(request, pk):
    dataset = selectors.dataset_get(actor=request.actor, dataset_id=pk)
    ruleset = selectors.ruleset_in_force()
    return render(request, "patents/dataset.html", {
        "dataset": dataset, "industries": selectors.industry_list(ruleset), "ruleset": ruleset,
        "errors": selectors.error_rows(dataset=dataset), "files": dataset.report.get("files", []),
    })


STAGES = {
    "emergence": gettext_lazy("Emergence"), "growth": gettext_lazy("Growth"), "maturity": gettext_lazy("Maturity"),
    "decline": gettext_lazy("Decline"), "consolidation": gettext_lazy("Consolidation"),
}


def _context(request, pk, industry):
    dataset = selectors.dataset_get(actor=request.actor, dataset_id=pk, ready=True)
    ruleset = selectors.ruleset_in_force()
    code, name_zh, name_en = selectors.industry_get(ruleset, industry)
    result = selectors.landscape_get(actor=request.actor, dataset=dataset, industry=industry)
    fields = {f.id: {"zh": f.name_zh, "en": f.name_en} for f in wipo_fields().values()}
    chart_data = {
        "trend": result["trend_app_year"], "top_applicants": result["top_applicants"][:15],
        "heatmap": result["heatmap"], "fields": fields, "cities": CITY_NAMES_ZH,
        "white_spaces": result["white_spaces"], "network": result["network"],
        "bubbles": [{"code": w["main_group"], "n": w["n"], "growth": w["growth"], "gd_share": w["gd_share"]}
                    for w in result.get("white_spaces", [])],
        "scorecard": result["scorecard"],
    }
    result["lifecycle"]["stage_label"] = STAGES.get(result["lifecycle"]["stage"], result["lifecycle"]["stage"])
    for seg in result["matrix"]["segments"]:
        position = seg["position"]
        seg["position_label"] = Position(position).label if position in Position.values else position
    return {"dataset": dataset, "industry": {"code": code, "name_zh": name_zh, "name_en": name_en},
            "ruleset": ruleset, "result": result, "chart_data": chart_data,
            "gd": result["regions"].get("GD", {}), "world": result["regions"].get("world", {}),
            "cn": result["regions"].get("CN", {})}


@portal_view
def landscape_page(request, pk, industry):
    return render(request, "patents/landscape.html", {**_context(request, pk, industry),
                                                      "pdf_available": pdf.available()})


def _report_html(request, pk, industry) -> str:
    context = _context(request, pk, industry)
    context["echarts_js"] = Path(finders.find("vendor/echarts/echarts.min.js")).read_text(encoding="utf-8")
    context["landscape_js"] = Path(finders.find("patents/landscape.js")).read_text(encoding="utf-8")
    return render_to_string("patents/report.html", context, request=request)


@portal_view
def report_download(request, pk, industry):
    response = HttpResponse(_report_html(request, pk, industry), content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="patent-navigation-{industry}-{pk}.html"'
    return response


@portal_view
def report_pdf(request, pk, industry):
    if not pdf.available():
        raise Http404(_("PDF reports need Chromium and a Chinese font on the server."))
    response = HttpResponse(pdf.render(_report_html(request, pk, industry)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="patent-navigation-{industry}-{pk}.pdf"'
    return response


@portal_view
def topic_page(request, pk, industry):
    dataset = selectors.dataset_get(actor=request.actor, dataset_id=pk, ready=True)
    ruleset = selectors.ruleset_in_force()
    code, name_zh, name_en = selectors.industry_get(ruleset, industry)
    q, segment, city = request.GET.get("q", "")[:100], request.GET.get("segment", "")[:40], request.GET.get("city",
                                                                                                            "")[:8]
    page_no = max(1, int(request.GET.get("page", "1") or 1)) if request.GET.get("page", "1").isdigit() else 1
    per_page = 50
    total, rows = selectors.topic_rows(actor=request.actor, dataset=dataset, industry=industry, q=q, segment=segment,
                                       city=city, limit=per_page, offset=(page_no - 1) * per_page)
    pages = Paginator(range(total), per_page) if total else None
    return render(request, "patents/topic.html", {
        "dataset": dataset, "industry": {"code": code, "name_zh": name_zh, "name_en": name_en}, "rows": rows,
        "total": total, "page": pages.page(min(page_no, pages.num_pages)) if pages else None,
        "q": q, "segment": segment, "city": city, "cities": sorted(CITY_NAMES_ZH.items()),
        "segments": [(s.segment, s.segment_zh) for s in selectors.engine_rules(ruleset) if s.industry == code],
    })


TOPIC_EXPORT_COLUMNS = [
    Column(gettext_lazy("Application number"), lambda r: r["app_no"]),
    Column(gettext_lazy("Publication number"), lambda r: r["pub_no"]),
    Column(gettext_lazy("Title"), lambda r: r["title"]),
    Column(gettext_lazy("Filing date"), lambda r: r["app_date"].isoformat() if r["app_date"] else ""),
    Column(gettext_lazy("Publication date"), lambda r: r["pub_date"].isoformat() if r["pub_date"] else ""),
    Column(gettext_lazy("Patent type"), lambda r: r["patent_type"]),
    Column(gettext_lazy("Granted"), lambda r: bool(r["granted"])),
    Column(gettext_lazy("Legal status"), lambda r: r["legal_status"]),
    Column(gettext_lazy("Applicants"), lambda r: r["applicants"]),
    Column(gettext_lazy("City of first applicant"), lambda r: CITY_NAMES_ZH.get(r["first_applicant_city"] or "", "")),
    Column(gettext_lazy("Inventors"), lambda r: r["inventors"]),
    Column(gettext_lazy("IPC"), lambda r: r["ipc"]),
    Column(gettext_lazy("Industry chain segments"), lambda r: r["segments"]),
    Column(gettext_lazy("Times cited"), lambda r: r["cited_count"]),
    Column(gettext_lazy("Family size"), lambda r: r["family_size"]),
    Column(gettext_lazy("Family"), lambda r: r["family_id"]),
]


@portal_view
def topic_export(request, pk, industry):
    dataset = selectors.dataset_get(actor=request.actor, dataset_id=pk, ready=True)
    _total, rows = selectors.topic_rows(actor=request.actor, dataset=dataset, industry=industry,
                                        q=request.GET.get("q", "")[:100], segment=request.GET.get("segment", "")[:40],
                                        city=request.GET.get("city", "")[:8], limit=None)
    return export_response(filename=f"patents-{industry}-{pk}", columns=TOPIC_EXPORT_COLUMNS, rows=rows, fmt="xlsx")


@portal_view
def rules_page(request):
    permissions.require(request.actor, "patents.view", hide=True)
    ruleset = selectors.ruleset_in_force()
    return render(request, "patents/rules.html", {
        "ruleset": ruleset, "rules": ruleset.rules.all(), "versions": selectors.ruleset_list()[:20],
        "aliases": selectors.alias_list()[:200],
    })
