"""IP cases on the portal API (/api/v1/ipcases, session + CSRF): every page action has its call.
Thin: parse, call a service or selector, answer with an explicit Out schema; errors are the
{code, message, details} envelope."""

from ninja import Query, Router, Schema, Status

from innoreform.core.api_support import DbId, responses

from . import models as m
from . import schemas as s
from . import selectors, services, verification

router = Router(tags=["ipcases"])
bank_router = Router(tags=["ipcases"])  # nothing for banks: courts and parties use the portal

MAX_PAGE = 200


class IpcasePageQuery(Schema):
    offset: int = 0
    limit: int = 50

    def window(self, qs):
        offset = min(max(self.offset, 0), 10_000_000)
        return qs[offset:offset + min(max(self.limit, 1), MAX_PAGE)]


def _files(items) -> list[tuple[str, str, bytes]]:
    return [(f.title, f.filename, s.decode(f.content_base64)) for f in items]


# --- disputes, filings, cases -----------------------------------------------------------------------


@router.get("/disputes", response=responses(list[s.IpcaseDisputeOut]), operation_id="ipcases_disputes")
def ipcases_disputes(request, page: Query[IpcasePageQuery]):
    qs = selectors.dispute_list(actor=request.auth).prefetch_related("cases")
    return [s.IpcaseDisputeOut.of(d) for d in page.window(qs)]


@router.get("/disputes/{dispute_id}", response=responses(s.IpcaseDisputeOut, 404), operation_id="ipcases_dispute")
def ipcases_dispute(request, dispute_id: DbId):
    return s.IpcaseDisputeOut.of(selectors.dispute_get(actor=request.auth, dispute_id=dispute_id))


@router.post("/filings", response=responses({201: s.IpcaseFilingOut}, 409), operation_id="ipcases_filing_submit")
def ipcases_filing_submit(request, payload: s.IpcaseFilingIn):
    f = services.filing_submit(
        actor=request.auth, site_id=payload.site_id, subject=payload.subject, claims=payload.claims,
        respondent_name=payload.respondent_name, respondent_id=payload.respondent_id,
        respondent_has_domicile=payload.respondent_has_domicile, claim_fen=payload.claim_fen,
        complaint_name=payload.complaint.filename, complaint=s.decode(payload.complaint.content_base64),
        evidence=_files(payload.evidence), consent=payload.consent, legal_name=payload.legal_name,
        id_number=payload.id_number)
    return Status(201, s.IpcaseFilingOut.of(f))


@router.get("/filings/queue", response=responses(list[s.IpcaseFilingOut]), operation_id="ipcases_filing_queue")
def ipcases_filing_queue(request, page: Query[IpcasePageQuery]):
    return [s.IpcaseFilingOut.of(f) for f in page.window(selectors.filing_queue(actor=request.auth))]


@router.post("/filings/{filing_id}/decision", response=responses(s.IpcaseDecisionOut, 404, 409),
             operation_id="ipcases_filing_decide")
def ipcases_filing_decide(request, filing_id: DbId, payload: s.IpcaseFilingDecisionIn):
    result = services.filing_decide(actor=request.auth, filing_id=filing_id, **payload.dict())
    if isinstance(result, m.Case):
        return s.IpcaseDecisionOut(filing=s.IpcaseFilingOut.of(result.dispute.filing), case=s.IpcaseCaseOut.of(result))
    return s.IpcaseDecisionOut(filing=s.IpcaseFilingOut.of(result))


@router.post("/filings/{filing_id}/correction", response=responses(s.IpcaseFilingOut, 404, 409),
             operation_id="ipcases_filing_correct")
def ipcases_filing_correct(request, filing_id: DbId, payload: s.IpcaseCorrectionIn):
    return s.IpcaseFilingOut.of(services.filing_correct(
        actor=request.auth, filing_id=filing_id, note=payload.note, documents=_files(payload.documents),
        consent=payload.consent, legal_name=payload.legal_name, id_number=payload.id_number))


@router.post("/filings/{filing_id}/mediation", response=responses({201: s.IpcaseMediationOut}, 404, 409),
             operation_id="ipcases_mediation_entrust")
def ipcases_mediation_entrust(request, filing_id: DbId, payload: s.IpcaseEntrustIn):
    return Status(201, s.IpcaseMediationOut.of(services.mediation_entrust(actor=request.auth, filing_id=filing_id,
                                                                          **payload.dict())))


@router.post("/disputes/{dispute_id}/consents", response=responses({201: s.IpcaseConsentOut}, 404),
             operation_id="ipcases_consent_give")
def ipcases_consent_give(request, dispute_id: DbId, payload: s.IpcaseConsentIn):
    c = services.consent_give(actor=request.auth, dispute_id=dispute_id, **payload.dict())
    return Status(201, s.IpcaseConsentOut(dispute_id=c.dispute_id, stage=c.stage, given_at=c.given_at))


@router.get("/cases", response=responses(list[s.IpcaseCaseOut]), operation_id="ipcases_cases")
def ipcases_cases(request, page: Query[IpcasePageQuery]):
    return [s.IpcaseCaseOut.of(c) for c in page.window(selectors.case_list(actor=request.auth).select_related("lower"))]


@router.get("/deadlines", response=responses(list[s.IpcaseDeadlineOut]), operation_id="ipcases_deadlines")
def ipcases_deadlines(request, page: Query[IpcasePageQuery], overdue: bool = False):
    return [s.IpcaseDeadlineOut.of(d) for d in page.window(selectors.deadline_list(actor=request.auth,
                                                                                   overdue=overdue))]


@router.post("/cases/{case_id}/deadlines", response=responses({201: s.IpcaseDeadlineOut}, 404),
             operation_id="ipcases_deadline_set")
def ipcases_deadline_set(request, case_id: DbId, payload: s.IpcaseDeadlineIn):
    return Status(201, s.IpcaseDeadlineOut.of(services.deadline_set(actor=request.auth, case_id=case_id,
                                                                    **payload.dict())))


@router.post("/cases/{case_id}/excluded-periods", response=responses({201: s.IpcaseExcludedOut}, 404, 409),
             operation_id="ipcases_excluded_start")
def ipcases_excluded_start(request, case_id: DbId, payload: s.IpcaseExcludedIn):
    e = services.excluded_period_start(actor=request.auth, case_id=case_id, **payload.dict())
    e.case.refresh_from_db()
    return Status(201, s.IpcaseExcludedOut(id=e.pk, kind=e.kind, starts_on=e.starts_on, ends_on=e.ends_on,
                                           trial_limit_due=e.case.trial_limit_due))


@router.post("/excluded-periods/{period_id}/end", response=responses(s.IpcaseExcludedOut, 404, 409),
             operation_id="ipcases_excluded_end")
def ipcases_excluded_end(request, period_id: DbId, payload: s.IpcaseExcludedEndIn):
    e = services.excluded_period_end(actor=request.auth, period_id=period_id, ends_on=payload.ends_on)
    return s.IpcaseExcludedOut(id=e.pk, kind=e.kind, starts_on=e.starts_on, ends_on=e.ends_on,
                               trial_limit_due=m.Case.objects.get(pk=e.case_id).trial_limit_due)


# --- mediation --------------------------------------------------------------------------------------


@router.get("/roster", response=responses(list[s.IpcaseMediatorOut]), operation_id="ipcases_roster")
def ipcases_roster(request, page: Query[IpcasePageQuery]):
    return [s.IpcaseMediatorOut(id=x.pk, name=x.name, organisation_id=x.organisation_id, region=x.region,
                                scope=x.scope, specialty=x.specialty, fee_fen=x.fee_fen)
            for x in page.window(selectors.roster())]


@router.get("/mediations", response=responses(list[s.IpcaseMediationOut]), operation_id="ipcases_mediations")
def ipcases_mediations(request, page: Query[IpcasePageQuery]):
    return [s.IpcaseMediationOut.of(x) for x in page.window(selectors.mediation_list(actor=request.auth))]


def _med(request, mediation_id: int):
    selectors.mediation_get(actor=request.auth, mediation_id=mediation_id)  # 404 before anything else


@router.post("/mediations/{mediation_id}/select", response=responses(s.IpcaseMediationOut, 404, 409),
             operation_id="ipcases_mediation_select")
def ipcases_mediation_select(request, mediation_id: DbId, payload: s.IpcaseSelectIn):
    _med(request, mediation_id)
    return s.IpcaseMediationOut.of(services.mediation_select(actor=request.auth, mediation_id=mediation_id,
                                                             **payload.dict()))


@router.post("/mediations/{mediation_id}/assign", response=responses(s.IpcaseMediationOut, 404, 409),
             operation_id="ipcases_mediation_assign")
def ipcases_mediation_assign(request, mediation_id: DbId, payload: s.IpcaseAssignIn):
    _med(request, mediation_id)
    return s.IpcaseMediationOut.of(services.mediation_assign(actor=request.auth, mediation_id=mediation_id,
                                                             mediator_id=payload.mediator_id))


@router.post("/mediations/{mediation_id}/accept", response=responses(s.IpcaseMediationOut, 404, 409),
             operation_id="ipcases_mediation_accept")
def ipcases_mediation_accept(request, mediation_id: DbId, payload: s.IpcaseAcceptIn):
    _med(request, mediation_id)
    return s.IpcaseMediationOut.of(services.mediation_accept(actor=request.auth, mediation_id=mediation_id,
                                                             conflict_disclosure=payload.conflict_disclosure))


@router.post("/mediations/{mediation_id}/decline", response=responses(s.IpcaseMediationOut, 404, 409),
             operation_id="ipcases_mediation_decline")
def ipcases_mediation_decline(request, mediation_id: DbId, payload: s.IpcaseReasonIn):
    _med(request, mediation_id)
    return s.IpcaseMediationOut.of(services.mediation_decline(actor=request.auth, mediation_id=mediation_id,
                                                              reason=payload.reason))


@router.post("/mediations/{mediation_id}/fail", response=responses(s.IpcaseMediationOut, 404, 409),
             operation_id="ipcases_mediation_fail")
def ipcases_mediation_fail(request, mediation_id: DbId, payload: s.IpcaseRecordIn):
    _med(request, mediation_id)
    return s.IpcaseMediationOut.of(services.mediation_fail(actor=request.auth, mediation_id=mediation_id,
                                                           record=payload.record))


@router.post("/mediations/{mediation_id}/agreement", response=responses(s.IpcaseMediationOut, 404, 409),
             operation_id="ipcases_agreement_propose")
def ipcases_agreement_propose(request, mediation_id: DbId, payload: s.IpcaseAgreementIn):
    _med(request, mediation_id)
    return s.IpcaseMediationOut.of(services.mediation_propose_agreement(actor=request.auth,
                                                                        mediation_id=mediation_id, text=payload.text))


@router.post("/mediations/{mediation_id}/sign", response=responses(s.IpcaseMediationOut, 404, 409),
             operation_id="ipcases_agreement_sign")
def ipcases_agreement_sign(request, mediation_id: DbId, payload: s.IpcaseSignIn):
    _med(request, mediation_id)
    return s.IpcaseMediationOut.of(services.mediation_sign(actor=request.auth, mediation_id=mediation_id,
                                                           **payload.dict()))


# --- hearings and service ---------------------------------------------------------------------------


def _hearing_out(h) -> s.IpcaseHearingOut:
    return s.IpcaseHearingOut(id=h.pk, case_id=h.case_id, mode=h.mode, starts_at=h.starts_at, ends_at=h.ends_at,
                              transcript_sha256=h.transcript_sha256)


@router.post("/cases/{case_id}/hearings", response=responses({201: s.IpcaseHearingOut}, 404, 409),
             operation_id="ipcases_hearing_schedule")
def ipcases_hearing_schedule(request, case_id: DbId, payload: s.IpcaseHearingIn):
    return Status(201, _hearing_out(services.hearing_schedule(actor=request.auth, case_id=case_id,
                                                              **payload.dict())))


@router.post("/hearings/{hearing_id}/transcript", response=responses(s.IpcaseHearingOut, 404),
             operation_id="ipcases_transcript_upload")
def ipcases_transcript_upload(request, hearing_id: DbId, payload: s.IpcaseTranscriptIn):
    return _hearing_out(services.transcript_upload(actor=request.auth, hearing_id=hearing_id,
                                                   data=s.decode(payload.content_base64)))


@router.post("/hearings/{hearing_id}/confirmation", response=responses(s.IpcaseHearingOut, 404, 409),
             operation_id="ipcases_transcript_confirm")
def ipcases_transcript_confirm(request, hearing_id: DbId, payload: s.IpcaseConfirmIn):
    c = services.transcript_confirm(actor=request.auth, hearing_id=hearing_id, sha256=payload.sha256)
    return _hearing_out(c.hearing)


def _service_out(x) -> s.IpcaseServiceOut:
    return s.IpcaseServiceOut(id=x.pk, case_id=x.case_id, recipient_id=x.recipient_id, title=x.title, sha256=x.sha256,
                              sent_at=x.sent_at, arrived_at=x.arrived_at, opened_at=x.opened_at, trace=x.trace)


@router.post("/cases/{case_id}/services", response=responses({201: s.IpcaseServiceOut}, 404, 409),
             operation_id="ipcases_service_send")
def ipcases_service_send(request, case_id: DbId, payload: s.IpcaseServeIn):
    return Status(201, _service_out(services.service_send(actor=request.auth, case_id=case_id,
                                                          recipient_id=payload.recipient_id, title=payload.title,
                                                          data=s.decode(payload.content_base64))))


@router.post("/services/{service_id}/opened", response=responses(s.IpcaseServiceOut, 404),
             operation_id="ipcases_service_opened")
def ipcases_service_opened(request, service_id: DbId):
    return _service_out(services.service_opened(actor=request.auth, service_id=service_id))


# --- notarial evidence ------------------------------------------------------------------------------


@router.get("/notarial", response=responses(list[s.IpcaseNotarialOut]), operation_id="ipcases_notarial_list")
def ipcases_notarial_list(request, page: Query[IpcasePageQuery]):
    return [s.IpcaseNotarialOut.of(r) for r in page.window(selectors.notarial_list(actor=request.auth))]


@router.post("/notarial", response=responses({201: s.IpcaseNotarialOut}, 404), operation_id="ipcases_notarial_request")
def ipcases_notarial_request(request, payload: s.IpcaseNotarialIn):
    return Status(201, s.IpcaseNotarialOut.of(services.notarial_request(actor=request.auth, **payload.dict())))


@router.post("/notarial/{request_id}/capture", response=responses(s.IpcaseNotarialOut, 404, 409),
             operation_id="ipcases_notarial_capture")
def ipcases_notarial_capture(request, request_id: DbId, payload: s.IpcaseCaptureIn):
    return s.IpcaseNotarialOut.of(services.notarial_capture(
        actor=request.auth, request_id=request_id, filename=payload.filename, data=s.decode(payload.content_base64),
        time_source=payload.time_source, checklist=payload.checklist, metadata=payload.metadata))


@router.post("/notarial/{request_id}/certificate", response=responses(s.IpcaseNotarialOut, 404, 409),
             operation_id="ipcases_notarial_certify")
def ipcases_notarial_certify(request, request_id: DbId):
    return s.IpcaseNotarialOut.of(services.notarial_certify(actor=request.auth, request_id=request_id))


@router.post("/notarial/{request_id}/attach", response=responses(s.IpcaseNotarialOut, 404, 409),
             operation_id="ipcases_evidence_attach")
def ipcases_evidence_attach(request, request_id: DbId, payload: s.IpcaseAttachIn):
    return s.IpcaseNotarialOut.of(services.evidence_attach(actor=request.auth, request_id=request_id,
                                                           dispute_id=payload.dispute_id))


@router.get("/notarial/{request_id}/verification", response=responses(s.IpcaseVerificationOut, 404),
            operation_id="ipcases_evidence_verify")
def ipcases_evidence_verify(request, request_id: DbId):
    rep = verification.verify_request(selectors.notarial_get(actor=request.auth, request_id=request_id))
    return s.IpcaseVerificationOut(ok=rep.ok, steps=[s.IpcaseStepOut(ok=o, title=str(t), detail=str(d))
                                                     for o, t, d in rep.steps],
                                   proven=[str(x) for x in rep.proven], not_proven=[str(x) for x in rep.not_proven])


@router.get("/dashboard", response=responses(s.IpcaseDashboardOut, 404), operation_id="ipcases_dashboard")
def ipcases_dashboard(request, site_id: DbId | None = None):
    from innoreform.core.errors import NotFound

    from .permissions import can

    if not can(request.auth, "ipcases.dashboard"):
        raise NotFound()
    f = selectors.dashboard(actor=request.auth, site_id=site_id)
    return s.IpcaseDashboardOut(total=f["total"], by_stage={str(k): v for k, v in f["by_stage"]},
                                by_site=dict(f["by_site"]), due_week=f["due_week"], overdue=f["overdue"],
                                mediation_settled=f["mediation_settled"], mediation_failed=f["mediation_failed"],
                                mediation_rate=f["mediation_rate"], decision_days=f["decision_days"])
