from django.contrib import admin

from .models import ApplicantAlias, Dataset, RuleSet


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "organisation", "status", "patents", "rows_read", "rows_rejected", "created_at")
    readonly_fields = [f.name for f in Dataset._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("version", "status", "note", "created_by", "approved_by", "approved_at")
    readonly_fields = [f.name for f in RuleSet._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ApplicantAlias)
class ApplicantAliasAdmin(admin.ModelAdmin):
    list_display = ("alias", "canonical", "kind", "city", "updated_at")
    readonly_fields = [f.name for f in ApplicantAlias._meta.fields]

    def has_add_permission(self, request):
        return False
