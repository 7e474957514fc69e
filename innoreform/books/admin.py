"""Read-only admin: the books change only through services (posting and reversal)."""

from django.contrib import admin

from innoreform.core.admin_support import ReadOnlyAdmin

from .models import Account, Posting, Transaction


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "code", "name", "owner", "purpose", "normal_balance", "may_go_negative", "balance_fen")
    list_filter = ("purpose", "normal_balance", "may_go_negative")
    search_fields = ("code", "name")


class PostingInline(admin.TabularInline):
    model = Posting
    fields = ("account", "amount_fen")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "kind", "reference", "subject_type", "subject_id", "actor_label")
    list_filter = ("kind",)
    search_fields = ("reference", "subject_id", "correlation", "uuid")
    inlines = [PostingInline]
