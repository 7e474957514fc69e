"""Back office: read-only views of the special-goods records (every change goes through the
services, so it is audited)."""

from django.contrib import admin

from innoreform.core.admin_support import ReadOnlyAdmin

from . import models as m


@admin.register(m.Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ("name", "enterprise", "category", "material", "pathogen_class", "hs_code")
    list_filter = ("category", "material", "pathogen_class")
    search_fields = ("name", "hs_code")


@admin.register(m.Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("id", "enterprise", "item", "level", "status", "policy_version", "submitted_at")
    list_filter = ("status", "level", "automatic")


@admin.register(m.Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("number", "enterprise", "item", "level", "quantity", "written_off", "unit", "status", "valid_until")
    list_filter = ("status", "level")
    search_fields = ("number",)


@admin.register(m.Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ("declaration_no", "approval", "quantity", "unit", "port", "balance_after", "declared_at")
    search_fields = ("declaration_no",)


@admin.register(m.FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ("approval", "kind", "due_on", "status")
    list_filter = ("status", "kind")


@admin.register(m.WhitelistEntry)
class WhitelistEntryAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "item", "added_at", "removed_at")
