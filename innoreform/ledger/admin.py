"""Read-only admin views: the log is written only by the sequencer and services."""

from django.contrib import admin

from innoreform.core.admin_support import ReadOnlyAdmin

from .models import Evidence, LedgerCheckpoint, LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("index", "entry_type", "organisation", "subject_organisation", "created_at")
    list_filter = ("entry_type",)


@admin.register(LedgerCheckpoint)
class LedgerCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("id", "size", "cosignatures", "cosigned", "created_at")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("title", "organisation", "sha256", "case_ref", "created_at")
