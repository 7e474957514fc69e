"""API schemas: explicit In/Out, amounts in integer fen."""

from datetime import date, datetime

from ninja import Field, Schema

from innoreform.core.api_support import Fen

from . import fraud, services
from . import models as m


class VoucherOut(Schema):
    id: int
    serial: str
    enterprise_id: int
    year: int
    city: str
    flow: str
    share: str
    face_fen: Fen
    used_fen: Fen
    paid_fen: Fen
    remaining_fen: Fen
    status: str
    expires_on: date

    @staticmethod
    def of(v: m.Voucher) -> "VoucherOut":
        return VoucherOut(id=v.pk, serial=v.serial, enterprise_id=v.enterprise_id, year=v.year, city=v.city,
                          flow=v.flow, share=str(v.share), face_fen=v.face_fen, used_fen=v.used_fen,
                          paid_fen=v.paid_fen, remaining_fen=v.remaining_fen, status=v.status, expires_on=v.expires_on)


class VoucherApplicationIn(Schema):
    requested_fen: Fen = Field(..., ge=1, le=10**13)
    purpose: str = Field(..., min_length=1, max_length=500)
    contact_address: str = Field("", max_length=300)
    contact_phone: str = Field("", max_length=40)


class VoucherCheckOut(Schema):
    rule: str
    ok: bool
    explanation: str


class VoucherApplicationOut(Schema):
    id: int
    enterprise_id: int
    year: int
    requested_fen: Fen
    grantable_fen: Fen
    status: str
    checks: list[VoucherCheckOut]
    voucher_id: int | None = None

    @staticmethod
    def of(a: m.Application) -> "VoucherApplicationOut":
        voucher = m.Voucher.objects.filter(application=a).values_list("pk", flat=True).first()
        return VoucherApplicationOut(id=a.pk, enterprise_id=a.enterprise_id, year=a.year, requested_fen=a.requested_fen,
                              grantable_fen=a.grantable_fen, status=a.status, voucher_id=voucher,
                              checks=[VoucherCheckOut(rule=c["rule"], ok=c["ok"], explanation=services.explain(c))
                                      for c in a.eligibility])


class VoucherDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


class VoucherInstitutionOut(Schema):
    id: int
    name: str
    region: str
    status: str
    categories: list[str]
    founded_on: date
    notice_ends_at: datetime | None

    @staticmethod
    def of(i: m.Institution) -> "VoucherInstitutionOut":
        return VoucherInstitutionOut(id=i.pk, name=i.organisation.name, region=i.region, status=i.status,
                              categories=i.categories, founded_on=i.founded_on, notice_ends_at=i.notice_ends_at)


class VoucherServiceOut(Schema):
    id: int
    institution_id: int
    institution: str
    category: str
    name: str
    unit: str
    price_fen: Fen

    @staticmethod
    def of(s: m.ServiceItem) -> "VoucherServiceOut":
        return VoucherServiceOut(id=s.pk, institution_id=s.institution_id, institution=s.institution.organisation.name,
                          category=s.category, name=s.name, unit=s.unit, price_fen=s.price_fen)


class VoucherOrderIn(Schema):
    voucher_id: int = Field(..., ge=1, le=2**63 - 1)
    service_id: int = Field(..., ge=1, le=2**63 - 1)
    quantity: int = Field(1, ge=1, le=10_000)
    fee_fen: Fen | None = Field(None, ge=1, le=10**13)
    project_code: str = Field("", max_length=64)


class VoucherOrderOut(Schema):
    id: int
    voucher_id: int
    enterprise_id: int
    institution_id: int
    service_id: int
    quantity: int
    fee_fen: Fen
    voucher_fen: Fen
    status: str
    redemption_id: int | None = None

    @staticmethod
    def of(o: m.Order) -> "VoucherOrderOut":
        redemption = m.Redemption.objects.filter(order=o).values_list("pk", flat=True).first()
        return VoucherOrderOut(id=o.pk, voucher_id=o.voucher_id, enterprise_id=o.enterprise_id,
                        institution_id=o.institution_id, service_id=o.service_id, quantity=o.quantity,
                        fee_fen=o.fee_fen, voucher_fen=o.voucher_fen, status=o.status, redemption_id=redemption)


class VoucherRedemptionOut(Schema):
    id: int
    order_id: int
    voucher_id: int
    flow: str
    amount_fen: Fen
    payee_id: int
    status: str
    voucher_remaining_fen: Fen

    @staticmethod
    def of(r: m.Redemption) -> "VoucherRedemptionOut":
        voucher = r.voucher  # a deduction leaves the updated voucher here (use._use), saving a read
        return VoucherRedemptionOut(id=r.pk, order_id=r.order_id, voucher_id=r.voucher_id, flow=r.flow,
                             amount_fen=r.amount_fen, payee_id=r.payee_id, status=r.status,
                             voucher_remaining_fen=voucher.remaining_fen)


class VoucherClaimIn(Schema):
    contract_no: str = Field(..., min_length=1, max_length=64)
    invoice_no: str = Field(..., min_length=1, max_length=64)
    invoice_amount_fen: Fen = Field(..., ge=1, le=10**13)
    invoice_date: date
    deliverable: str = Field(..., min_length=1, max_length=500)


class VoucherFlagOut(Schema):
    rule: str
    explanation: str


class VoucherClaimOut(Schema):
    id: int
    redemption_id: int
    payee_id: int
    amount_fen: Fen
    invoice_no: str
    invoice_amount_fen: Fen
    invoice_date: date
    status: str
    flags: list[VoucherFlagOut]
    province_fen: Fen
    city_fen: Fen

    @staticmethod
    def of(c: m.Claim) -> "VoucherClaimOut":
        return VoucherClaimOut(id=c.pk, redemption_id=c.redemption_id, payee_id=c.payee_id, amount_fen=c.amount_fen,
                        invoice_no=c.invoice_no, invoice_amount_fen=c.invoice_amount_fen, invoice_date=c.invoice_date,
                        status=c.status, province_fen=c.province_fen, city_fen=c.city_fen,
                        flags=[VoucherFlagOut(rule=f["rule"], explanation=fraud.explain(f)) for f in c.flags])


class VoucherReviewIn(Schema):
    note: str = Field("", max_length=500)
    clear_flags: bool = False


class VoucherReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class VoucherBatchOut(Schema):
    id: int
    period: str
    cadence: str
    status: str
    total_fen: Fen
    province_fen: Fen
    city_fen: Fen
    items: int
    paid_items: int

    @staticmethod
    def of(b: m.SettlementBatch) -> "VoucherBatchOut":
        return VoucherBatchOut(id=b.pk, period=b.period, cadence=b.cadence, status=b.status, total_fen=b.total_fen,
                        province_fen=b.province_fen, city_fen=b.city_fen, items=b.items.count(),
                        paid_items=b.items.filter(paid=True).count())


class VoucherPaymentRowOut(Schema):
    batch: int
    period: str
    item: int
    claim: int
    payee: str
    payee_credit_code: str
    payee_region: str
    amount_fen: Fen
    province_fen: Fen
    city: str
    city_fen: Fen
    invoice_no: str
    reference: str
    paid: bool


class VoucherReportRowOut(Schema):
    key: str
    label: str
    vouchers: int = 0
    issued_fen: Fen = 0
    used_fen: Fen = 0
    paid_fen: Fen = 0
    province_paid_fen: Fen = 0
    city_paid_fen: Fen = 0


class VoucherReportOut(Schema):
    dimension: str
    rows: list[VoucherReportRowOut]


class VoucherReconciliationOut(Schema):
    clean: bool
    vouchers: int
    claims: int
    items: int
    counts: dict[str, int]
    breaks: list[dict]
