"""Reconciliation of claims × payments × budgets × books.

`books_source` tells innoreform.books.reconciliation what every voucher event should have posted
(so a missing, duplicate or altered posting is a break). `reconcile` adds the domain's own
checks, which balance checks alone cannot catch (a double payment still sums to zero):

- voucher_used_mismatch: a voucher's used amount differs from its active uses
- voucher_overpaid: more paid on a voucher than its face value, or paid differs from paid claims
- claim_payment_mismatch: a paid claim without exactly one paid batch item, or the reverse
- reservation_mismatch: a budget's reserved account differs from what its vouchers still reserve
- available_mismatch: a budget's available account differs from appropriations − reservations + releases
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from innoreform.books import reconciliation as books_reconciliation
from innoreform.books import selectors as book_selectors
from innoreform.books.reconciliation import Break, Expected

from . import models as m
from . import money


def _expectations() -> list[Expected]:
    expected: list[Expected] = []
    budgets = {(b.year, b.level, b.city): b for b in m.Budget.objects.all()}

    def pair(year: int, city: str):
        return budgets.get((year, m.BudgetLevel.PROVINCE, "")), budgets.get((year, m.BudgetLevel.CITY, city))

    def add(reference: str, kind: str, subject_type: str, subject_id, lines) -> None:
        merged: dict[int, int] = defaultdict(int)
        for account, amount in lines:
            merged[getattr(account, "pk", account)] += amount  # an account or its id
        expected.append(Expected(reference=reference, kind=kind, subject_type=subject_type,
                                 subject_id=str(subject_id), lines={k: v for k, v in merged.items() if v}))

    for a in m.Appropriation.objects.select_related("budget"):
        add(f"vouchers:appropriation:{a.pk}", money.KIND_APPROPRIATION, money.SUBJECT_BUDGET, a.budget_id,
            [(a.budget.available_account_id, a.amount_fen), (a.budget.source_account_id, -a.amount_fen)])
    for v in m.Voucher.objects.all():
        province, city = pair(v.year, v.city)
        if province is None:
            continue
        add(f"vouchers:issue:{v.pk}", money.KIND_ISSUE, money.SUBJECT_VOUCHER, v.pk,
            money.issue_lines(province=province, city=city, province_fen=v.face_fen - v.city_reserved_fen,
                              city_fen=v.city_reserved_fen))
    for r in m.Release.objects.select_related("voucher"):
        province, city = pair(r.voucher.year, r.voucher.city)
        add(f"vouchers:release:{r.voucher_id}:{r.tag}", money.KIND_RELEASE, money.SUBJECT_VOUCHER, r.voucher_id,
            money.release_lines(province=province, city=city, province_fen=r.province_fen, city_fen=r.city_fen))
    payables = {a.owner_id: a for a in book_selectors.accounts_keyed(
        purposes=["institution_payable", "enterprise_payable"], key="vouchers")}
    expenses = {a.key: a for a in book_selectors.accounts_keyed(purposes=["expense"], key_prefix="vouchers:")}
    for c in m.Claim.objects.filter(status__in=[m.ClaimStatus.APPROVED, m.ClaimStatus.PAID]).select_related(
            "redemption__voucher"):
        payable = payables.get(c.payee_id)
        expense = expenses.get(f"vouchers:{c.redemption.voucher.year}")
        if payable is None or expense is None:
            expected.append(Expected(reference=f"vouchers:payable:{c.pk}", kind=money.KIND_PAYABLE,
                                     subject_type=money.SUBJECT_CLAIM, subject_id=str(c.pk), lines={-1: c.amount_fen}))
            continue
        add(f"vouchers:payable:{c.pk}", money.KIND_PAYABLE, money.SUBJECT_CLAIM, c.pk,
            [(expense, c.amount_fen), (payable, -c.amount_fen)])
        if c.status == m.ClaimStatus.PAID:
            item = c.batch_items.filter(paid=True).first()
            if item is None:
                continue  # reported by the domain checks
            province, city = pair(c.redemption.voucher.year, c.redemption.voucher.city)
            add(f"vouchers:pay:{c.pk}", money.KIND_PAY, money.SUBJECT_CLAIM, c.pk,
                money.pay_lines(payable=payable, province=province, city=city, province_fen=item.province_fen,
                                city_fen=item.city_fen))
    return expected


def books_source():
    return money.KINDS, _expectations()


@dataclass
class Report:
    breaks: list[Break] = field(default_factory=list)
    vouchers: int = 0
    claims: int = 0
    items: int = 0
    books: dict = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not self.breaks

    def as_dict(self) -> dict:
        counts: dict[str, int] = defaultdict(int)
        for b in self.breaks:
            counts[b.kind] += 1
        return {"clean": self.clean, "vouchers": self.vouchers, "claims": self.claims, "items": self.items,
                "counts": dict(counts), "breaks": [b.as_dict() for b in self.breaks]}


def _domain_checks(report: Report) -> None:
    used = dict(m.Redemption.objects.filter(status=m.RedemptionStatus.ACTIVE).values("voucher_id")
                .annotate(s=Sum("amount_fen")).values_list("voucher_id", "s"))
    paid = dict(m.Claim.objects.filter(status=m.ClaimStatus.PAID).values("redemption__voucher_id")
                .annotate(s=Sum("amount_fen")).values_list("redemption__voucher_id", "s"))
    for v in m.Voucher.objects.order_by("pk"):
        report.vouchers += 1
        if used.get(v.pk, 0) != v.used_fen:
            report.breaks.append(Break("voucher_used_mismatch", {"voucher": v.pk, "used_fen": v.used_fen,
                                                                 "uses_fen": used.get(v.pk, 0)}))
        if paid.get(v.pk, 0) != v.paid_fen or v.paid_fen > v.face_fen or paid.get(v.pk, 0) > v.face_fen:
            report.breaks.append(Break("voucher_overpaid", {"voucher": v.pk, "face_fen": v.face_fen,
                                                            "paid_fen": v.paid_fen,
                                                            "paid_claims_fen": paid.get(v.pk, 0)}))
    claims = m.Claim.objects.annotate(paid_items=Count("batch_items", filter=Q(batch_items__paid=True)))
    for c in claims.order_by("pk"):
        report.claims += 1
        expected_items = 1 if c.status == m.ClaimStatus.PAID else 0
        if c.paid_items != expected_items:
            report.breaks.append(Break("claim_payment_mismatch", {"claim": c.pk, "status": c.status,
                                                                  "paid_items": c.paid_items}))
    report.items = m.BatchItem.objects.count()
    _budget_checks(report)


def _budget_checks(report: Report) -> None:
    reserved: dict[int, int] = defaultdict(int)
    available: dict[int, int] = defaultdict(int)
    budgets = {(b.year, b.level, b.city): b for b in m.Budget.objects.all()}
    for a in m.Appropriation.objects.values("budget_id").annotate(s=Sum("amount_fen")):
        available[a["budget_id"]] += a["s"]

    def parts(year, city):
        return budgets.get((year, m.BudgetLevel.PROVINCE, "")), budgets.get((year, m.BudgetLevel.CITY, city))

    for v in m.Voucher.objects.all():
        province, city = parts(v.year, v.city)
        if province is None:
            continue
        reserved[province.pk] += v.face_fen - v.city_reserved_fen
        available[province.pk] -= v.face_fen - v.city_reserved_fen
        if city is not None:
            reserved[city.pk] += v.city_reserved_fen
            available[city.pk] -= v.city_reserved_fen
    for r in m.Release.objects.select_related("voucher"):
        province, city = parts(r.voucher.year, r.voucher.city)
        reserved[province.pk] -= r.province_fen
        available[province.pk] += r.province_fen
        if city is not None:
            reserved[city.pk] -= r.city_fen
            available[city.pk] += r.city_fen
    for item in m.BatchItem.objects.filter(paid=True).select_related("claim__redemption__voucher"):
        v = item.claim.redemption.voucher
        province, city = parts(v.year, v.city)
        reserved[province.pk] -= item.province_fen
        if city is not None:
            reserved[city.pk] -= item.city_fen
    for b in budgets.values():
        balances = book_selectors.balances_by_id([b.reserved_account_id, b.available_account_id])
        if balances.get(b.reserved_account_id, 0) != reserved[b.pk]:
            report.breaks.append(Break("reservation_mismatch", {"budget": b.pk, "expected_fen": reserved[b.pk],
                                                                "books_fen": balances.get(b.reserved_account_id)}))
        if balances.get(b.available_account_id, 0) != available[b.pk]:
            report.breaks.append(Break("available_mismatch", {"budget": b.pk, "expected_fen": available[b.pk],
                                                              "books_fen": balances.get(b.available_account_id)}))


def reconcile() -> Report:
    report = Report()
    kinds, expected = books_source()
    books_report = books_reconciliation.reconcile(expected=expected, kinds=kinds)
    report.breaks.extend(books_report.breaks)
    report.books = {"transactions": books_report.transactions, "postings": books_report.postings,
                    "expectations": books_report.expectations}
    _domain_checks(report)
    return report
