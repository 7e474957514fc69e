"""Read-only back office views: money moves only through the services."""

from django.contrib import admin

from innoreform.core.admin_support import ReadOnlyAdmin

from .models import Claim, Contribution, KeyListEntry, LossRatioReport, PayoutItem, Pool, RecoveryShare


@admin.register(Pool)
class PoolAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "level", "region", "owner", "leverage_target", "status")
    list_filter = ("level", "status")


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ("id", "pool", "contributor", "amount_fen", "received_on", "reversed_at")


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ("id", "institution", "loan", "mode", "loss_fen", "total_fen", "policy_version", "status")
    list_filter = ("status", "mode")


@admin.register(PayoutItem)
class PayoutItemAdmin(ReadOnlyAdmin):
    list_display = ("id", "claim", "pool", "level", "amount_fen", "status", "paid_at")
    list_filter = ("status", "level")


@admin.register(RecoveryShare)
class RecoveryShareAdmin(ReadOnlyAdmin):
    list_display = ("id", "claim", "payout", "recovery", "amount_fen")


@admin.register(KeyListEntry)
class KeyListEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "credit_code", "name", "list_name")


@admin.register(LossRatioReport)
class LossRatioReportAdmin(ReadOnlyAdmin):
    list_display = ("id", "institution", "ratio", "as_of", "source")
