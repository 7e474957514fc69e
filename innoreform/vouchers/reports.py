"""Reports by the enterprise's city, the institution's region (cross-region clearing: what
Guangdong paid to institutions in each region), service category and institution."""


from django.db.models import Count, Sum

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound
from innoreform.core.regions import Region, RegionGroup, region_group

from . import models as m
from .selectors import city_scope, sees_all

DIMENSIONS = ("city", "region", "category", "institution")


def _row(key: str, label: str) -> dict:
    return {"key": key, "label": label, "vouchers": 0, "issued_fen": 0, "used_fen": 0, "paid_fen": 0,
            "province_paid_fen": 0, "city_paid_fen": 0}


def report(*, actor: Actor, dimension: str, year: int | None = None) -> list[dict]:
    if not sees_all(actor) or dimension not in DIMENSIONS:
        raise NotFound()
    vouchers = m.Voucher.objects.all()
    uses = m.Redemption.objects.filter(status=m.RedemptionStatus.ACTIVE)
    paid = m.Claim.objects.filter(status=m.ClaimStatus.PAID)
    city = city_scope(actor)
    if city:
        vouchers, uses, paid = (vouchers.filter(city=city), uses.filter(voucher__city=city),
                                paid.filter(redemption__voucher__city=city))
    if year:
        vouchers, uses, paid = (vouchers.filter(year=year), uses.filter(voucher__year=year),
                                paid.filter(redemption__voucher__year=year))
    rows: dict[str, dict] = {}

    def row(key: str, label: str) -> dict:
        if key not in rows:
            rows[key] = _row(key, label)
        return rows[key]

    if dimension == "city":
        labels = dict(Region.choices)
        for r in vouchers.values("city").annotate(n=Count("id"), face=Sum("face_fen"), rel=Sum("released_fen")):
            x = row(r["city"], str(labels.get(r["city"], r["city"])))
            x["vouchers"], x["issued_fen"] = r["n"], (r["face"] or 0) - (r["rel"] or 0)
        for r in uses.values("voucher__city").annotate(s=Sum("amount_fen")):
            row(r["voucher__city"], str(labels.get(r["voucher__city"], "")))["used_fen"] = r["s"] or 0
        for r in paid.values("redemption__voucher__city").annotate(s=Sum("amount_fen"), p=Sum("province_fen"),
                                                                   c=Sum("city_fen")):
            x = row(r["redemption__voucher__city"], str(labels.get(r["redemption__voucher__city"], "")))
            x["paid_fen"], x["province_paid_fen"], x["city_paid_fen"] = r["s"] or 0, r["p"] or 0, r["c"] or 0
    else:
        if dimension == "region":
            labels = dict(RegionGroup.choices)
            use_field, paid_field = "order__institution__region", "redemption__order__institution__region"

            def key_of(value):
                group = region_group(value)
                return group, str(labels.get(group, group))
        elif dimension == "category":
            labels = dict(m.Category.choices)
            use_field, paid_field = "order__service__category", "redemption__order__service__category"

            def key_of(value):
                return value, str(labels.get(value, value))
        else:
            names = dict(m.Institution.objects.values_list("pk", "organisation__name"))
            use_field, paid_field = "order__institution_id", "redemption__order__institution_id"

            def key_of(value):
                return str(value), names.get(value, str(value))
        for r in uses.values(use_field).annotate(s=Sum("amount_fen"), n=Count("voucher_id", distinct=True)):
            key, label = key_of(r[use_field])
            x = row(key, label)
            x["used_fen"] += r["s"] or 0
            x["vouchers"] += r["n"]
        for r in paid.values(paid_field).annotate(s=Sum("amount_fen"), p=Sum("province_fen"), c=Sum("city_fen")):
            key, label = key_of(r[paid_field])
            x = row(key, label)
            x["paid_fen"] += r["s"] or 0
            x["province_paid_fen"] += r["p"] or 0
            x["city_paid_fen"] += r["c"] or 0
    return sorted(rows.values(), key=lambda x: (-x["paid_fen"], -x["used_fen"], x["key"]))
