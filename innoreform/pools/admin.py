"""Read-only back office views: money moves only through the services."""

from django.contrib import admin

from .models import Claim, Contribution, KeyListEntry, LossRatioReport, PayoutItem, Pool, RecoveryShare


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Pool)
class PoolAdmin(ReadOnly):
    list_display = ("id", "name", "level", "region", "owner", "leverage_target", "status")
    list_filter = ("level", "status")


@admin.register(Contribution)
class ContributionAdmin(ReadOnly):
    list_display = ("id", "pool", "contributor", "amount_fen", "received_on", "reversed_at")


@admin.register(Claim)
class ClaimAdmin(ReadOnly):
    list_display = ("id", "institution", "loan", "mode", "loss_fen", "total_fen", "policy_version", "status")
    list_filter = ("status", "mode")


@admin.register(PayoutItem)
class PayoutItemAdmin(ReadOnly):
    list_display = ("id", "claim", "pool", "level", "amount_fen", "status", "paid_at")
    list_filter = ("status", "level")


@admin.register(RecoveryShare)
class RecoveryShareAdmin(ReadOnly):
    list_display = ("id", "claim", "payout", "recovery", "amount_fen")


@admin.register(KeyListEntry)
class KeyListEntryAdmin(ReadOnly):
    list_display = ("id", "credit_code", "name", "list_name")


@admin.register(LossRatioReport)
class LossRatioReportAdmin(ReadOnly):
    list_display = ("id", "institution", "ratio", "as_of", "source")
