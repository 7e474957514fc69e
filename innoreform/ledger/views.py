"""Public tlog-tiles endpoints (no account needed) and the ledger's portal pages."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from innoreform.core.errors import DomainError
from innoreform.core.forms import apply_domain_error
from innoreform.core.views import portal_view

from . import keys, receipts, selectors, services, tiles
from .forms import AttachForm, EvidenceForm, VerifyReceiptForm
from .permissions import require

IMMUTABLE = {"public": True, "max_age": 31536000, "immutable": True}

def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")

@require_GET
@cache_control(public=True, max_age=5)
def checkpoint(request):
    cp = selectors.latest_checkpoint()
    if cp is None:
        return _text("no checkpoint yet\n", status=404)
    resp = _text(cp.note)
    resp["Access-Control-Allow-Origin"] = "*"
    return resp

@require_GET
@cache_control(public=True, max_age=3600)
def key(request):
    return _text(f"{keys.origin()}\n" + "".join(f"{s.verifier}\n" for s in keys.signers()))

@require_GET
def tile(request, path: str):
    try:
        level, n, width = tiles.parse_tile_path(path)
    except tiles.TilePathError as exc:
        raise Http404 from exc
    data = selectors.entry_bundle(n, width) if level is None else selectors.tile(level, n, width)
    if data is None:
        raise Http404
    resp = HttpResponse(data, content_type="application/octet-stream")
    resp["Cache-Control"] = "public, max-age=31536000, immutable"
    resp["Access-Control-Allow-Origin"] = "*"
    return resp

# --------------------------------------------------------------------------- portal pages

@portal_view
def my_entries(request):
    actor = request.actor
    require(actor, "ledger.view_own_entries", hide=True)
    rows = list(selectors.entries_about(actor)[:200])
    cp = selectors.latest_checkpoint()
    return render(request, "ledger/my_entries.html", {"rows": rows, "checkpoint": cp})

@portal_view
def entry_detail(request, index: int):
    actor = request.actor
    e = selectors.entry(index)
    if e.subject_organisation_id != actor.organisation_id and e.organisation_id != actor.organisation_id:
        raise Http404
    cp = selectors.checkpoint_covering(index)
    proof = selectors.inclusion_proof(index, cp.size) if cp else []
    return render(request, "ledger/entry_detail.html", {
        "entry": e, "body": bytes(e.body).decode(), "leaf_hash": bytes(e.leaf_hash).hex(), "checkpoint": cp,
        "proof": [p.hex() for p in proof],
    })

@portal_view
def evidence_list(request):
    actor = request.actor
    require(actor, "evidence.view_own", hide=True)
    form = EvidenceForm()
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            try:
                ev = services.deposit_evidence(
                    actor=actor, title=form.cleaned_data["title"], data=upload.read() if upload else None,
                    filename=upload.name if upload else "", content_type=getattr(upload, "content_type", "") or "",
                    text=form.cleaned_data.get("text") or "",
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Preserved. Download the receipt and keep it with the file."))
                return redirect("ledger:evidence_detail", uid=ev.uid)
    rows = selectors.evidence_list(actor)[:200]
    return render(request, "ledger/evidence_list.html", {"form": form, "rows": rows})

@portal_view
def evidence_detail(request, uid):
    ev = selectors.evidence_get(request.actor, uid)
    entry = selectors.entry_by_uid(ev.entry_uid)
    form = AttachForm(initial={"case_ref": ev.case_ref})
    if request.method == "POST":
        form = AttachForm(request.POST)
        if form.is_valid():
            services.attach_evidence_to_case(actor=request.actor, evidence=ev, case_ref=form.cleaned_data["case_ref"])
            messages.success(request, _("Saved."))
            return redirect("ledger:evidence_detail", uid=ev.uid)
    return render(request, "ledger/evidence_detail.html", {"ev": ev, "entry": entry, "form": form})

@portal_view
@never_cache
def evidence_receipt(request, uid):
    ev = selectors.evidence_get(request.actor, uid)
    try:
        text = services.issue_receipt(actor=request.actor, evidence=ev)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("ledger:evidence_detail", uid=ev.uid)
    resp = HttpResponse(text, content_type="text/plain; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="evidence-{ev.uid}.tlog-proof"'
    return resp

@portal_view
def evidence_timestamp(request, uid):
    ev = selectors.evidence_get(request.actor, uid)
    token = bytes(ev.checkpoint.tsa_token) if ev.checkpoint and ev.checkpoint.tsa_token else None
    if token is None:
        raise Http404
    resp = HttpResponse(token, content_type="application/timestamp-reply")
    resp["Content-Disposition"] = f'attachment; filename="evidence-{ev.uid}.tsr"'
    return resp


@portal_view
def evidence_file(request, uid):
    ev = selectors.evidence_get(request.actor, uid)
    return FileResponse(ev.file.open("rb"), as_attachment=True, filename=ev.filename,
                        content_type="application/octet-stream")

def verify_receipt(request):
    """Public: check a file against a receipt with this log's key and witness policy."""
    verdict = None
    form = VerifyReceiptForm()
    if request.method == "POST":
        form = VerifyReceiptForm(request.POST, request.FILES)
        if form.is_valid():
            f = form.cleaned_data.get("file")
            data = f.read() if f else (form.cleaned_data.get("text") or "").encode()
            receipt_file = form.cleaned_data["receipt"]
            if receipt_file.size > 256 * 1024:
                form.add_error("receipt", _("A receipt is a small text file."))
            else:
                try:
                    text = receipt_file.read().decode("utf-8")
                except UnicodeDecodeError:
                    form.add_error("receipt", _("A receipt is a UTF-8 text file."))
                else:
                    verdict = receipts.verify(
                        data, text, log_key=keys.verifier_key(), origin=keys.origin(),
                        witness_keys=[str(w.verifier) for w in keys.witnesses()], quorum=settings.LEDGER_QUORUM)
    return render(request, "ledger/verify.html", {
        "form": form, "verdict": verdict, "vkey": keys.verifier_key(), "origin": keys.origin(),
        "witnesses": [str(w.verifier) for w in keys.witnesses()], "quorum": settings.LEDGER_QUORUM,
    })
