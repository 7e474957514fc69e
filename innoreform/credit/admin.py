from django.contrib import admin

from . import models as m


@admin.register(m.ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "kind", "status", "role", "holdout_auc", "submitted_by", "decided_by")
    list_filter = ("status", "kind", "role")
    exclude = ("spec", "booster_text", "report")
    readonly_fields = [f.name for f in m.ModelVersion._meta.fields if f.name not in ("spec", "booster_text", "report")]

    def has_add_permission(self, request):  # versions come from training, through services
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.ScoreRecord)
class ScoreRecordAdmin(admin.ModelAdmin):
    list_display = ("credit_code", "score", "pd", "model_version", "requested_by", "created_at")
    search_fields = ("credit_code",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
