"""Read-only admin: financing data changes only through the services (audited)."""

from django.contrib import admin

from innoreform.core.admin_support import ReadOnlyAdmin

from . import models as m


@admin.register(m.Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "kind", "institution", "status")
    list_filter = ("kind", "status")
    search_fields = ("name",)


@admin.register(m.FinancingNeed)
class NeedAdmin(ReadOnlyAdmin):
    list_display = ("id", "enterprise", "amount_fen", "term_months", "purpose", "status")
    list_filter = ("purpose", "status")


@admin.register(m.Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("id", "enterprise", "institution", "product", "status", "submitted_at", "decided_at")
    list_filter = ("status",)


@admin.register(m.Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ("id", "code", "name", "department", "status")


@admin.register(m.Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ("id", "contract_no", "institution", "borrower_name", "kind", "principal_fen", "status",
                    "classification", "overdue_days")
    list_filter = ("kind", "status", "classification")
    search_fields = ("contract_no", "borrower_credit_code", "borrower_name")


@admin.register(m.LoanDefault)
class LoanDefaultAdmin(ReadOnlyAdmin):
    list_display = ("id", "loan", "declared_on", "amount_fen", "recovered_fen", "automatic")


@admin.register(m.Equipment)
class EquipmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "category", "loan", "price_fen", "status")
    list_filter = ("status",)


@admin.register(m.Subsidy)
class SubsidyAdmin(ReadOnlyAdmin):
    list_display = ("id", "loan", "year", "quarter", "amount_fen", "status")
    list_filter = ("status", "year", "quarter")


@admin.register(m.LoanImport)
class LoanImportAdmin(ReadOnlyAdmin):
    list_display = ("id", "institution", "filename", "status", "rows_total", "created_at")
