"""Back office (read-mostly): writes go through services, so the admin shows data only."""

from django.contrib import admin

from . import models as m


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
