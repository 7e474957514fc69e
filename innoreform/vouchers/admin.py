"""Back office: read-only views of the voucher records (every change goes through the services,
so it is audited and posted to the books)."""

from django.contrib import admin

from . import models as m


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.Budget)
class BudgetAdmin(ReadOnly):
    list_display = ("year", "level", "city", "available_account", "reserved_account")


@admin.register(m.Voucher)
class VoucherAdmin(ReadOnly):
    list_display = ("serial", "enterprise", "face_fen", "used_fen", "paid_fen", "released_fen", "status", "expires_on")
    list_filter = ("status", "year", "city", "flow")
    search_fields = ("serial",)


@admin.register(m.Institution)
class InstitutionAdmin(ReadOnly):
    list_display = ("organisation", "region", "status", "notice_ends_at", "listed_at")
    list_filter = ("status", "region")


@admin.register(m.Claim)
class ClaimAdmin(ReadOnly):
    list_display = ("id", "payee", "amount_fen", "invoice_no", "status", "province_fen", "city_fen")
    list_filter = ("status",)
    search_fields = ("invoice_no",)


@admin.register(m.SettlementBatch)
class BatchAdmin(ReadOnly):
    list_display = ("id", "period", "status", "total_fen", "province_fen", "city_fen")
