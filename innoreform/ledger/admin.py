"""Read-only admin views: the log is written only by the sequencer and services."""

from django.contrib import admin

from .models import Evidence, LedgerCheckpoint, LedgerEntry


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnly):
    list_display = ("index", "entry_type", "organisation", "subject_organisation", "created_at")
    list_filter = ("entry_type",)


@admin.register(LedgerCheckpoint)
class LedgerCheckpointAdmin(ReadOnly):
    list_display = ("id", "size", "cosignatures", "cosigned", "created_at")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnly):
    list_display = ("title", "organisation", "sha256", "case_ref", "created_at")
