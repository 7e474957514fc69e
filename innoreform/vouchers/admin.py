"""Back office: read-only views of the voucher records (every change goes through the services,
so it is audited and posted to the books)."""

from django.contrib import admin

from innoreform.core.admin_support import ReadOnlyAdmin

from . import models as m


@admin.register(m.Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ("year", "level", "city", "available_account", "reserved_account")


@admin.register(m.Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    list_display = ("serial", "enterprise", "face_fen", "used_fen", "paid_fen", "released_fen", "status", "expires_on")
    list_filter = ("status", "year", "city", "flow")
    search_fields = ("serial",)


@admin.register(m.Institution)
class InstitutionAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "region", "status", "notice_ends_at", "listed_at")
    list_filter = ("status", "region")


@admin.register(m.Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ("id", "payee", "amount_fen", "invoice_no", "status", "province_fen", "city_fen")
    list_filter = ("status",)
    search_fields = ("invoice_no",)


@admin.register(m.SettlementBatch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "period", "status", "total_fen", "province_fen", "city_fen")
