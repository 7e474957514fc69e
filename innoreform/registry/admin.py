"""Back office (read-mostly): writes go through services, so the admin shows data only."""

from django.contrib import admin

from innoreform.core.admin_support import ReadOnlyAdmin

from . import models as m


@admin.register(m.Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ("credit_code", "name", "region", "industry_code", "organisation")
    list_filter = ("region",)
    search_fields = ("credit_code", "name")


@admin.register(m.Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "year", "status", "score", "passed", "registration_number")
    list_filter = ("status", "year")
    search_fields = ("enterprise__credit_code", "registration_number")


@admin.register(m.ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("pk", "template", "original_name", "status", "rows_total", "error_count", "created_at")
    list_filter = ("status", "template")


@admin.register(m.ConsentGrant)
class ConsentGrantAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "institution", "purpose", "valid_until", "revoked_at")


@admin.register(m.AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "institution", "purpose", "accessed_at", "accessed_by")
