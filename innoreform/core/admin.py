"""Back office. Audited models are read-only here; organisations and memberships may be edited,
and each edit is audited in the same transaction as the change."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction

from . import audit
from .actor import Actor
from .admin_support import ReadOnlyAdmin
from .models import ApiKey, AuditEvent, Job, Membership, Organisation, PolicyVersion, User


def _staff_actor(request) -> Actor:
    return getattr(request, "actor", None) or Actor.for_user(request.user)


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(actor=_staff_actor(request), action=f"admin.{obj._meta.model_name}_saved", obj=obj,
                         changes={name: str(form.cleaned_data.get(name)) for name in form.changed_data})

    def has_delete_permission(self, request, obj=None):
        return False




@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("id", "name", "kind", "region", "credit_code", "is_active", "is_demo")
    list_filter = ("kind", "region", "is_active", "is_demo")
    search_fields = ("name", "name_en", "credit_code")


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("id", "user", "organisation", "role", "is_active")
    list_filter = ("role", "is_active", "organisation__kind")
    search_fields = ("user__username", "organisation__name")
    autocomplete_fields = ("user", "organisation")


@admin.register(User)
class InnoUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "is_active", "totp_confirmed", "locked_until", "is_demo")
    fieldsets = (*UserAdmin.fieldsets, ("InnoReform", {"fields": ("display_name", "preferred_language",
                                                                  "totp_confirmed", "locked_until", "is_demo")}))
    readonly_fields = ("totp_confirmed",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "actor_label", "organisation", "action", "object_type", "object_id", "outcome")
    list_filter = ("outcome", "action")
    search_fields = ("actor_label", "object_id", "request_id")


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "name", "organisation", "created_at", "revoked_at", "last_used_at")
    exclude = ("secret_hash",)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ("key", "version", "status", "effective_from", "effective_to", "created_by", "approved_by")
    list_filter = ("key", "status")


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "owner", "status", "done", "total", "created_at")
