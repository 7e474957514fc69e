"""Province and city voucher budgets: opening, appropriations, and reservations given back to them."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import field_error
from innoreform.core.regions import is_guangdong

from .. import models as m
from .. import money
from .access import check_amount, require


def budget_get(*, year: int, level: str, city: str = "") -> m.Budget | None:
    return m.Budget.objects.filter(year=year, level=level, city=city).first()


def budget_open(*, actor: Actor, year: int, level: str, city: str = "") -> m.Budget:
    require(actor, "vouchers.budget")
    if level not in m.BudgetLevel.values:
        raise field_error("level", _("Choose province or city."))
    if level == m.BudgetLevel.CITY and not is_guangdong(city):
        raise field_error("city", _("A city budget belongs to one of Guangdong's 21 cities."))
    if level == m.BudgetLevel.PROVINCE:
        city = ""
    if not 2000 <= year <= 2100:
        raise field_error("year", _("Give a year between 2000 and 2100."))
    existing = budget_get(year=year, level=level, city=city)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            available, reserved, source = money.budget_accounts(actor=actor, level=level, year=year, city=city)
            budget = m.Budget.objects.create(year=year, level=level, city=city, available_account=available,
                                             reserved_account=reserved, source_account=source)
            audit.record(actor=actor, action="vouchers.budget_opened", obj=budget,
                         changes={"year": year, "level": level, "city": city})
            return budget
    except IntegrityError:
        return m.Budget.objects.get(year=year, level=level, city=city)


def budget_appropriate(*, actor: Actor, budget: m.Budget, amount_fen: int, note: str = "") -> m.Appropriation:
    """Put money into a budget (Dr available, Cr funding source)."""
    require(actor, "vouchers.budget")
    check_amount("amount_fen", amount_fen)
    with transaction.atomic():
        appropriation = m.Appropriation.objects.create(budget=budget, amount_fen=amount_fen, note=note[:300],
                                                       created_by=actor.user)
        money.post(actor=actor, kind=money.KIND_APPROPRIATION,
                   reference=f"vouchers:appropriation:{appropriation.pk}",
                   lines=[(budget.available_account, amount_fen), (budget.source_account, -amount_fen)],
                   subject_type=money.SUBJECT_BUDGET, subject_id=budget.pk, memo=note,
                   entry_type="vouchers.budget_appropriated")
        audit.record(actor=actor, action="vouchers.budget_appropriated", obj=budget,
                     changes={"amount_fen": amount_fen, "appropriation": appropriation.pk})
    return appropriation


def budgets_for(voucher: m.Voucher) -> tuple[m.Budget, m.Budget | None]:
    province = m.Budget.objects.get(year=voucher.year, level=m.BudgetLevel.PROVINCE)
    city = m.Budget.objects.filter(year=voucher.year, level=m.BudgetLevel.CITY, city=voucher.city).first()
    return province, city


def release(*, actor: Actor, voucher: m.Voucher, amount_fen: int, tag: str) -> None:
    """Give `amount_fen` of a (locked) voucher's reservation back to the budgets."""
    if amount_fen <= 0:
        return
    province_fen, city_fen = money.split(voucher, amount_fen)
    province, city = budgets_for(voucher)
    voucher.released_fen += amount_fen
    m.Release.objects.create(voucher=voucher, tag=tag, amount_fen=amount_fen, province_fen=province_fen,
                             city_fen=city_fen)
    money.post(actor=actor, kind=money.KIND_RELEASE, reference=f"vouchers:release:{voucher.pk}:{tag}",
               lines=money.release_lines(province=province, city=city, province_fen=province_fen, city_fen=city_fen),
               subject_type=money.SUBJECT_VOUCHER, subject_id=voucher.pk, memo=tag,
               entry_type="vouchers.reservation_released", subject_organisation=voucher.enterprise_id)
