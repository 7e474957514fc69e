"""Portal API (/api/v1/financing) and bank/institution API (/api/bank/v1/financing).

Every state-changing institution call takes an Idempotency-Key (replays return the stored
response; see innoreform.core.idempotency)."""

import base64
import binascii

from ninja import Router, Status

from innoreform.core.api_support import DbId, responses
from innoreform.core.errors import ValidationFailed
from innoreform.core.idempotency import IdempotencyKeyHeader, idempotent

from . import imports, selectors, services
from . import models as m
from .schemas import (
    ApplicationDecideIn,
    ApplicationOut,
    ApplyIn,
    ClassifyIn,
    CreditLineIn,
    DataOut,
    DecisionTimeOut,
    DefaultIn,
    DefaultOut,
    DisburseIn,
    ExerciseIn,
    ImportIn,
    ImportOut,
    InstalmentOut,
    InvoiceIn,
    InvoiceOut,
    LinkStakeIn,
    LoanDetailOut,
    LoanIn,
    LoanOut,
    MatchOut,
    MemberIn,
    MemberOut,
    NeedIn,
    NeedOut,
    NoteIn,
    NoteOut,
    PledgeIn,
    PledgeOut,
    ProductIn,
    ProductOut,
    ProgrammeIn,
    ProgrammeOut,
    RecoveryIn,
    RecoveryOut,
    RefreshIn,
    RepayIn,
    RepaymentOut,
    ReportIn,
    SelectOut,
    StakeIn,
    StakeOut,
    SubsidyComputeIn,
    SubsidyDecideIn,
    SubsidyOut,
    WarrantIn,
    WarrantOut,
)
from .services import loans, subsidies

router = Router(tags=["financing"])
bank_router = Router(tags=["financing"])
LIMIT = 500


def _detail(loan: m.Loan) -> LoanDetailOut:
    base = LoanOut.build(loan).model_dump()
    return LoanDetailOut(**base, instalments=[InstalmentOut(
        number=i.number, due_on=i.due_on, principal_fen=i.principal_fen, interest_fen=i.interest_fen,
        principal_paid_fen=i.principal_paid_fen, interest_paid_fen=i.interest_paid_fen)
        for i in loan.instalments.order_by("number")])


def _default_out(d: m.LoanDefault) -> DefaultOut:
    return DefaultOut(id=d.pk, loan_id=d.loan_id, declared_on=d.declared_on, overdue_days=d.overdue_days,
                      principal_fen=d.principal_fen, interest_fen=d.interest_fen, amount_fen=d.amount_fen,
                      recovered_fen=d.recovered_fen, automatic=d.automatic, reason=d.reason)


def _repayment_out(r: m.Repayment) -> RepaymentOut:
    return RepaymentOut(id=r.pk, loan_id=r.loan_id, paid_on=r.paid_on, amount_fen=r.amount_fen,
                        principal_fen=r.principal_fen, interest_fen=r.interest_fen, allocation=r.allocation)


def _warrant_out(w: m.Warrant) -> WarrantOut:
    return WarrantOut(id=w.pk, loan_id=w.loan_id, share_percent=w.share_percent, strike_fen=w.strike_fen,
                      expires_on=w.expires_on, status=w.status, exercised_on=w.exercised_on)


def _stake_out(s: m.EquityStake) -> StakeOut:
    return StakeOut(id=s.pk, credit_code=s.credit_code, enterprise_name=s.enterprise_name, amount_fen=s.amount_fen,
                    share_percent=s.share_percent, invested_on=s.invested_on, partner_bank_id=s.partner_bank_id,
                    loan_id=s.loan_id)


def _subsidy_out(s: m.Subsidy) -> SubsidyOut:
    return SubsidyOut(id=s.pk, loan_id=s.loan_id, year=s.year, quarter=s.quarter,
                      interest_paid_fen=s.interest_paid_fen, share_percent=s.share_percent, amount_fen=s.amount_fen,
                      capped=s.capped, status=s.status, policy_version=s.policy_version)


def _rules(rules) -> list[dict]:
    return [r.model_dump() for r in rules]


# === portal: enterprises ==================================================================================


@router.post("/needs", response=responses({201: NeedOut}), operation_id="financing_need_publish")
def need_publish(request, payload: NeedIn):
    need = services.need_publish(actor=request.auth, **payload.model_dump())
    return Status(201, NeedOut.build(selectors.need_get(actor=request.auth, need_id=need.pk)))


@router.get("/needs", response=responses(list[NeedOut]), operation_id="financing_need_list")
def need_list(request, status: str | None = None):
    return [NeedOut.build(n) for n in selectors.need_list(actor=request.auth, status=status)[:LIMIT]]


@router.get("/needs/{need_id}", response=responses(NeedOut, 404), operation_id="financing_need_get")
def need_get(request, need_id: DbId):
    return NeedOut.build(selectors.need_get(actor=request.auth, need_id=need_id))


@router.post("/needs/{need_id}/close", response=responses(NeedOut, 404, 409), operation_id="financing_need_close")
def need_close(request, need_id: DbId):
    services.need_close(actor=request.auth, need_id=need_id)
    return NeedOut.build(selectors.need_get(actor=request.auth, need_id=need_id))


@router.get("/needs/{need_id}/matches", response=responses(list[MatchOut], 404),
            operation_id="financing_need_matches")
def need_matches(request, need_id: DbId):
    return [x.as_dict() for x in selectors.match_need(actor=request.auth, need_id=need_id)]


@router.post("/needs/{need_id}/applications", response=responses({201: ApplicationOut}, 404, 409),
             operation_id="financing_application_submit")
def application_submit(request, need_id: DbId, payload: ApplyIn):
    a = services.application_submit(actor=request.auth, need_id=need_id, **payload.model_dump())
    return Status(201, ApplicationOut.build(selectors.application_get(actor=request.auth, application_id=a.pk)))


@router.get("/applications", response=responses(list[ApplicationOut]), operation_id="financing_application_list")
def application_list(request, status: str | None = None):
    return [ApplicationOut.build(a) for a in selectors.application_list(actor=request.auth, status=status)[:LIMIT]]


@router.get("/applications/{application_id}", response=responses(ApplicationOut, 404),
            operation_id="financing_application_get")
def application_get(request, application_id: DbId):
    return ApplicationOut.build(selectors.application_get(actor=request.auth, application_id=application_id))


@router.post("/applications/{application_id}/withdraw", response=responses(ApplicationOut, 404, 409),
             operation_id="financing_application_withdraw")
def application_withdraw(request, application_id: DbId):
    services.application_withdraw(actor=request.auth, application_id=application_id)
    return ApplicationOut.build(selectors.application_get(actor=request.auth, application_id=application_id))


@router.get("/products", response=responses(list[ProductOut]), operation_id="financing_product_list")
def product_list(request, kind: str | None = None):
    return [ProductOut.build(p) for p in selectors.product_list(actor=request.auth, kind=kind)[:LIMIT]]


@router.get("/products/{product_id}", response=responses(ProductOut, 404), operation_id="financing_product_get")
def product_get(request, product_id: DbId):
    return ProductOut.build(selectors.product_get(actor=request.auth, product_id=product_id))


@router.get("/loans", response=responses(list[LoanOut]), operation_id="financing_loan_list")
def loan_list(request, status: str | None = None, kind: str | None = None):
    return [LoanOut.build(x) for x in selectors.loan_list(actor=request.auth, status=status, kind=kind)[:LIMIT]]


@router.get("/loans/{loan_id}", response=responses(LoanDetailOut, 404), operation_id="financing_loan_get")
def loan_get(request, loan_id: DbId):
    return _detail(selectors.loan_get(actor=request.auth, loan_id=loan_id))


# === portal: departments and the platform ================================================================


@router.post("/programmes", response=responses({201: ProgrammeOut}, 409), operation_id="financing_programme_create")
def programme_create(request, payload: ProgrammeIn):
    data = payload.model_dump()
    data["selection_rules"] = _rules(payload.selection_rules)
    p = services.programme_create(actor=request.auth, **data)
    return Status(201, ProgrammeOut.build(p))


@router.get("/programmes", response=responses(list[ProgrammeOut]), operation_id="financing_programme_list")
def programme_list(request):
    return [ProgrammeOut.build(p) for p in selectors.programme_list(actor=request.auth)[:LIMIT]]


@router.get("/programmes/{programme_id}", response=responses(ProgrammeOut, 404),
            operation_id="financing_programme_get")
def programme_get(request, programme_id: DbId):
    return ProgrammeOut.build(selectors.programme_get(actor=request.auth, programme_id=programme_id))


@router.post("/programmes/{programme_id}/select", response=responses(SelectOut, 404, 409),
             operation_id="financing_programme_select")
def programme_select(request, programme_id: DbId):
    return services.programme_select(actor=request.auth, programme_id=programme_id)


@router.post("/programmes/{programme_id}/members", response=responses(MemberOut, 404, 409),
             operation_id="financing_programme_member_set")
def programme_member_set(request, programme_id: DbId, payload: MemberIn):
    x = services.programme_member_set(actor=request.auth, programme_id=programme_id, **payload.model_dump())
    return MemberOut(credit_code=x.credit_code, name=x.name, region=x.region, source=x.source, included=x.included)


@router.post("/programmes/{programme_id}/credit-lines", response=responses(CreditLineIn, 404, 409),
             operation_id="financing_programme_credit_line_set")
def programme_credit_line_set(request, programme_id: DbId, payload: CreditLineIn):
    line = services.programme_credit_line_set(actor=request.auth, programme_id=programme_id, **payload.model_dump())
    return CreditLineIn(bank_id=line.bank_id, line_fen=line.line_fen)


@router.post("/programmes/{programme_id}/activate", response=responses(ProgrammeOut, 404, 409),
             operation_id="financing_programme_activate")
def programme_activate(request, programme_id: DbId):
    return ProgrammeOut.build(services.programme_activate(actor=request.auth, programme_id=programme_id))


@router.get("/decision-times", response=responses(list[DecisionTimeOut]), operation_id="financing_decision_times")
def decision_times(request):
    return selectors.decision_times(actor=request.auth)


@router.get("/defaults", response=responses(list[DefaultOut]), operation_id="financing_default_list")
def default_list(request):
    return [_default_out(d) for d in selectors.defaults_for_pools(actor=request.auth)[:LIMIT]]


@router.post("/subsidies/compute", response=responses(list[SubsidyOut], 404, 409),
             operation_id="financing_subsidy_compute")
def subsidy_compute(request, payload: SubsidyComputeIn):
    return [_subsidy_out(s) for s in subsidies.subsidy_compute(actor=request.auth, **payload.model_dump())]


@router.get("/subsidies", response=responses(list[SubsidyOut]), operation_id="financing_subsidy_list")
def subsidy_list(request, year: int | None = None, quarter: int | None = None):
    return [_subsidy_out(s) for s in selectors.subsidy_list(actor=request.auth, year=year, quarter=quarter)[:LIMIT]]


@router.post("/subsidies/{subsidy_id}/decide", response=responses(SubsidyOut, 404, 409),
             operation_id="financing_subsidy_decide")
def subsidy_decide(request, subsidy_id: DbId, payload: SubsidyDecideIn):
    return _subsidy_out(subsidies.subsidy_decide(actor=request.auth, subsidy_id=subsidy_id, approve=payload.approve))


# === bank / institution API ==============================================================================


def _run(request, key: str, status: int, fn):
    return idempotent(request, key=key, run=lambda: (status, fn()))


@bank_router.post("/products", response=responses({201: ProductOut}, 409), operation_id="financing_bank_product_create")
def bank_product_create(request, payload: ProductIn, idempotency_key: IdempotencyKeyHeader):
    def run():
        data = payload.model_dump()
        data["rules"] = _rules(payload.rules)
        return ProductOut.build(services.product_create(actor=request.auth, **data))
    return _run(request, idempotency_key, 201, run)


@bank_router.get("/products", response=responses(list[ProductOut]), operation_id="financing_bank_product_list")
def bank_product_list(request):
    return [ProductOut.build(p) for p in selectors.product_list(actor=request.auth, mine=True)[:LIMIT]]


@bank_router.post("/products/{product_id}/withdraw", response=responses(ProductOut, 404, 409),
                  operation_id="financing_bank_product_withdraw")
def bank_product_withdraw(request, product_id: DbId, idempotency_key: IdempotencyKeyHeader):
    return _run(request, idempotency_key, 200, lambda: ProductOut.build(
        services.product_withdraw(actor=request.auth, product_id=product_id)))


@bank_router.get("/products/{product_id}/matching-needs", response=responses(list[NeedOut], 404),
                 operation_id="financing_bank_product_matching_needs")
def bank_product_matching_needs(request, product_id: DbId):
    return [NeedOut.build(row["need"]) for row in
            selectors.product_matching_needs(actor=request.auth, product_id=product_id)]


@bank_router.get("/needs", response=responses(list[NeedOut]), operation_id="financing_bank_need_list")
def bank_need_list(request):
    return [NeedOut.build(n) for n in selectors.need_list(actor=request.auth)[:LIMIT]]


@bank_router.get("/applications", response=responses(list[ApplicationOut]),
                 operation_id="financing_bank_application_list")
def bank_application_list(request, status: str | None = None):
    return [ApplicationOut.build(a) for a in selectors.application_list(actor=request.auth, status=status)[:LIMIT]]


@bank_router.get("/applications/{application_id}", response=responses(ApplicationOut, 404),
                 operation_id="financing_bank_application_get")
def bank_application_get(request, application_id: DbId):
    return ApplicationOut.build(selectors.application_get(actor=request.auth, application_id=application_id))


def _app_out(request, application_id):
    return ApplicationOut.build(selectors.application_get(actor=request.auth, application_id=application_id))


@bank_router.post("/applications/{application_id}/accept", response=responses(ApplicationOut, 404, 409),
                  operation_id="financing_bank_application_accept")
def bank_application_accept(request, application_id: DbId, idempotency_key: IdempotencyKeyHeader):
    def run():
        services.application_accept(actor=request.auth, application_id=application_id)
        return _app_out(request, application_id)
    return _run(request, idempotency_key, 200, run)


@bank_router.get("/applications/{application_id}/data", response=responses(DataOut, 404, 409),
                 operation_id="financing_bank_application_data")
def bank_application_data(request, application_id: DbId):
    return services.application_read_data(actor=request.auth, application_id=application_id)


@bank_router.post("/applications/{application_id}/decide", response=responses(ApplicationOut, 404, 409),
                  operation_id="financing_bank_application_decide")
def bank_application_decide(request, application_id: DbId, payload: ApplicationDecideIn,
                            idempotency_key: IdempotencyKeyHeader):
    def run():
        services.application_decide(actor=request.auth, application_id=application_id, **payload.model_dump())
        return _app_out(request, application_id)
    return _run(request, idempotency_key, 200, run)


@bank_router.post("/applications/{application_id}/report", response=responses(ApplicationOut, 404, 409),
                  operation_id="financing_bank_application_report")
def bank_application_report(request, application_id: DbId, payload: ReportIn, idempotency_key: IdempotencyKeyHeader):
    def run():
        services.application_report(actor=request.auth, application_id=application_id, reference=payload.reference)
        return _app_out(request, application_id)
    return _run(request, idempotency_key, 200, run)


@bank_router.post("/loans", response=responses({201: LoanOut}, 404, 409), operation_id="financing_bank_loan_create")
def bank_loan_create(request, payload: LoanIn, idempotency_key: IdempotencyKeyHeader):
    return _run(request, idempotency_key, 201, lambda: LoanOut.build(
        loans.loan_contract(actor=request.auth, **payload.model_dump())))


@bank_router.get("/loans", response=responses(list[LoanOut]), operation_id="financing_bank_loan_list")
def bank_loan_list(request, status: str | None = None, kind: str | None = None):
    return [LoanOut.build(x) for x in selectors.loan_list(actor=request.auth, status=status, kind=kind)[:LIMIT]]


@bank_router.get("/loans/{loan_id}", response=responses(LoanDetailOut, 404), operation_id="financing_bank_loan_get")
def bank_loan_get(request, loan_id: DbId):
    return _detail(selectors.loan_get(actor=request.auth, loan_id=loan_id))


def _loan_op(request, key, status, loan_id, fn):
    def run():
        fn()
        return _detail(selectors.loan_get(actor=request.auth, loan_id=loan_id))
    return _run(request, key, status, run)


@bank_router.post("/loans/{loan_id}/disburse", response=responses(LoanDetailOut, 404, 409),
                  operation_id="financing_bank_loan_disburse")
def bank_loan_disburse(request, loan_id: DbId, payload: DisburseIn, idempotency_key: IdempotencyKeyHeader):
    """Pay out a tranche with its own schedule (amount_fen left out: everything not yet drawn).
    The tranches never exceed the contract amount (422 above_contract)."""
    return _loan_op(request, idempotency_key, 200, loan_id, lambda: loans.loan_disburse(
        actor=request.auth, loan_id=loan_id, disbursed_on=payload.disbursed_on,
        amount_fen=payload.amount_fen))


@bank_router.post("/loans/{loan_id}/repayments", response=responses({201: RepaymentOut}, 404, 409),
                  operation_id="financing_bank_loan_repay")
def bank_loan_repay(request, loan_id: DbId, payload: RepayIn, idempotency_key: IdempotencyKeyHeader):
    return _run(request, idempotency_key, 201, lambda: _repayment_out(
        loans.loan_repay(actor=request.auth, loan_id=loan_id, **payload.model_dump())))


@bank_router.post("/loans/{loan_id}/classification", response=responses(LoanDetailOut, 404, 409),
                  operation_id="financing_bank_loan_classify")
def bank_loan_classify(request, loan_id: DbId, payload: ClassifyIn, idempotency_key: IdempotencyKeyHeader):
    return _loan_op(request, idempotency_key, 200, loan_id, lambda: loans.loan_classify(
        actor=request.auth, loan_id=loan_id, **payload.model_dump()))


@bank_router.post("/loans/{loan_id}/refresh", response=responses(LoanDetailOut, 404, 409),
                  operation_id="financing_bank_loan_refresh")
def bank_loan_refresh(request, loan_id: DbId, payload: RefreshIn, idempotency_key: IdempotencyKeyHeader):
    return _loan_op(request, idempotency_key, 200, loan_id, lambda: loans.loan_refresh(
        actor=request.auth, loan_id=loan_id, on=payload.on))


@bank_router.post("/loans/{loan_id}/default", response=responses({201: DefaultOut}, 404, 409),
                  operation_id="financing_bank_loan_default")
def bank_loan_default(request, loan_id: DbId, payload: DefaultIn, idempotency_key: IdempotencyKeyHeader):
    return _run(request, idempotency_key, 201, lambda: _default_out(
        loans.loan_default_declare(actor=request.auth, loan_id=loan_id, **payload.model_dump())))


@bank_router.post("/loans/{loan_id}/recoveries", response=responses({201: RecoveryOut}, 404, 409),
                  operation_id="financing_bank_loan_recovery")
def bank_loan_recovery(request, loan_id: DbId, payload: RecoveryIn, idempotency_key: IdempotencyKeyHeader):
    def run():
        r = loans.recovery_record(actor=request.auth, loan_id=loan_id, **payload.model_dump())
        return RecoveryOut(id=r.pk, default_id=r.default_id, received_on=r.received_on, amount_fen=r.amount_fen,
                           source=r.source)
    return _run(request, idempotency_key, 201, run)


@bank_router.post("/loans/{loan_id}/pledges", response=responses({201: list[PledgeOut]}, 404, 409),
                  operation_id="financing_bank_loan_pledge")
def bank_loan_pledge(request, loan_id: DbId, payload: PledgeIn, idempotency_key: IdempotencyKeyHeader):
    def run():
        made = services.ip_pledge(actor=request.auth, loan_id=loan_id,
                                 pledges=[p.model_dump() for p in payload.pledges])
        return [PledgeOut(id=p.pk, number=p.number, kind=p.kind, title=p.title,
                          appraised_value_fen=p.appraised_value_fen, pledged_on=p.pledged_on) for p in made]
    return _run(request, idempotency_key, 201, run)


@bank_router.post("/loans/{loan_id}/invoices", response=responses({201: InvoiceOut}, 404, 409),
                  operation_id="financing_bank_loan_invoice")
def bank_loan_invoice(request, loan_id: DbId, payload: InvoiceIn, idempotency_key: IdempotencyKeyHeader):
    def run():
        data = payload.model_dump()
        inv = services.invoice_register(actor=request.auth, loan_id=loan_id, **data)
        return InvoiceOut(id=inv.pk, invoice_no=inv.invoice_no, total_fen=inv.total_fen, checks=inv.checks,
                          equipment_ids=list(inv.equipment.values_list("pk", flat=True)))
    return _run(request, idempotency_key, 201, run)


@bank_router.post("/loans/{loan_id}/warrants", response=responses({201: WarrantOut}, 404, 409),
                  operation_id="financing_bank_loan_warrant")
def bank_loan_warrant(request, loan_id: DbId, payload: WarrantIn, idempotency_key: IdempotencyKeyHeader):
    return _run(request, idempotency_key, 201, lambda: _warrant_out(
        services.warrant_attach(actor=request.auth, loan_id=loan_id, **payload.model_dump())))


@bank_router.post("/warrants/{warrant_id}/exercise", response=responses(WarrantOut, 404, 409),
                  operation_id="financing_bank_warrant_exercise")
def bank_warrant_exercise(request, warrant_id: DbId, payload: ExerciseIn, idempotency_key: IdempotencyKeyHeader):
    return _run(request, idempotency_key, 200, lambda: _warrant_out(
        services.warrant_exercise(actor=request.auth, warrant_id=warrant_id, on=payload.on)))


@bank_router.post("/loans/{loan_id}/stake", response=responses(StakeOut, 404, 409),
                  operation_id="financing_bank_loan_link_stake")
def bank_loan_link_stake(request, loan_id: DbId, payload: LinkStakeIn, idempotency_key: IdempotencyKeyHeader):
    return _run(request, idempotency_key, 200, lambda: _stake_out(
        services.loan_link_stake(actor=request.auth, loan_id=loan_id, stake_id=payload.stake_id)))


def _import_out(batch: m.LoanImport) -> ImportOut:
    return ImportOut(id=batch.pk, filename=batch.filename, status=batch.status, rows_total=batch.rows_total,
                     errors=batch.errors, loan_ids=list(batch.loans.values_list("pk", flat=True)))


@bank_router.post("/loan-imports", response=responses({201: ImportOut, 202: ImportOut}, 409),
                  operation_id="financing_bank_loan_import")
def bank_loan_import(request, payload: ImportIn, idempotency_key: IdempotencyKeyHeader):
    """The file travels base64-encoded in JSON (the Idempotency-Key fingerprint covers the body).
    A file that unpacks to more than 2 MB is checked by a background job: the answer is 202 with
    status "queued"; poll GET /loan-imports/{id} until it is "applied" or "rejected"."""
    def run():
        try:
            content = base64.b64decode(payload.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationFailed(details={"content_base64": ["Not valid base64."]}) from exc
        batch = imports.loan_import(actor=request.auth, filename=payload.filename, content=content)
        return (202 if batch.status == m.LoanImport.Status.QUEUED else 201), _import_out(batch)
    return idempotent(request, key=idempotency_key, run=run)


@bank_router.get("/loan-imports/{import_id}", response=responses(ImportOut, 404),
                 operation_id="financing_bank_loan_import_get")
def bank_loan_import_get(request, import_id: DbId):
    return _import_out(selectors.loan_import_get(actor=request.auth, import_id=import_id))


@bank_router.get("/defaults", response=responses(list[DefaultOut]), operation_id="financing_bank_default_list")
def bank_default_list(request):
    return [_default_out(d) for d in selectors.defaults_for_pools(actor=request.auth)[:LIMIT]]


@bank_router.post("/stakes", response=responses({201: StakeOut}, 409), operation_id="financing_bank_stake_create")
def bank_stake_create(request, payload: StakeIn, idempotency_key: IdempotencyKeyHeader):
    return _run(request, idempotency_key, 201, lambda: _stake_out(
        services.stake_record(actor=request.auth, **payload.model_dump())))


@bank_router.get("/stakes", response=responses(list[StakeOut]), operation_id="financing_bank_stake_list")
def bank_stake_list(request):
    qs = m.EquityStake.objects.filter(investor_id=request.auth.organisation_id) | m.EquityStake.objects.filter(
        partner_bank_id=request.auth.organisation_id)
    return [_stake_out(s) for s in qs.order_by("-id")[:LIMIT]]


@bank_router.post("/notes", response=responses({201: NoteOut}, 409), operation_id="financing_bank_note_create")
def bank_note_create(request, payload: NoteIn, idempotency_key: IdempotencyKeyHeader):
    def run():
        n = services.screening_note_add(actor=request.auth, **payload.model_dump())
        return NoteOut(id=n.pk, credit_code=n.credit_code, author=n.author.name, shared_with=n.shared_with.name,
                       text=n.text, created_at=n.created_at)
    return _run(request, idempotency_key, 201, run)


@bank_router.get("/notes", response=responses(list[NoteOut]), operation_id="financing_bank_note_list")
def bank_note_list(request, credit_code: str | None = None):
    return [NoteOut(id=n.pk, credit_code=n.credit_code, author=n.author.name, shared_with=n.shared_with.name,
                    text=n.text, created_at=n.created_at)
            for n in services.screening_notes(actor=request.auth, credit_code=credit_code)[:LIMIT]]
