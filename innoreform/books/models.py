"""The platform's one set of double-entry books.

- An Account belongs to an organisation (or to the platform/public side when owner is null) and
  has a purpose (budget, pool, payable, ...). Its balance is kept in its normal side's terms:
  a debit-normal account's balance is debits minus credits, a credit-normal one's is credits
  minus debits. `balance_fen` is a cache updated only by services.post_transaction under a row
  lock; reconciliation compares it with the sum of postings.
- A Transaction is one business event: two or more Postings whose signed amounts sum to zero
  (positive = debit, negative = credit). Its `reference` is unique, so the same business event
  cannot be posted twice.
- Transactions and postings are never updated or deleted; a correction is a reversal
  (a new transaction pointing at the original through `reverses`). On PostgreSQL a trigger
  refuses UPDATE and DELETE on both tables (migration 0002).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from innoreform.core.models import Organisation


class NormalBalance(models.TextChoices):
    DEBIT = "debit", _("Debit")
    CREDIT = "credit", _("Credit")


class AccountPurpose(models.TextChoices):
    FUNDING_SOURCE = "funding_source", _("Funding source (appropriation or contribution)")
    BUDGET = "budget", _("Budget available")
    RESERVED = "reserved", _("Budget reserved (commitments)")
    POOL = "pool", _("Risk-compensation pool")
    INSTITUTION_PAYABLE = "institution_payable", _("Payable to an institution")
    ENTERPRISE_PAYABLE = "enterprise_payable", _("Payable to an enterprise")
    ENTERPRISE_RECEIVABLE = "enterprise_receivable", _("Receivable from an enterprise")
    BANK_SETTLEMENT = "bank_settlement", _("Bank settlement")
    EXPENSE = "expense", _("Expense")
    INCOME = "income", _("Income and recoveries")
    CLEARING = "clearing", _("Clearing")
    EXTERNAL = "external", _("Outside world (counterparty of money entering or leaving)")


# Default normal side per purpose: assets and expenses are debit-normal, sources, payables and
# income are credit-normal. Services accept an override.
PURPOSE_NORMAL_BALANCE = {
    AccountPurpose.FUNDING_SOURCE: NormalBalance.CREDIT,
    AccountPurpose.BUDGET: NormalBalance.DEBIT,
    AccountPurpose.RESERVED: NormalBalance.DEBIT,
    AccountPurpose.POOL: NormalBalance.DEBIT,
    AccountPurpose.INSTITUTION_PAYABLE: NormalBalance.CREDIT,
    AccountPurpose.ENTERPRISE_PAYABLE: NormalBalance.CREDIT,
    AccountPurpose.ENTERPRISE_RECEIVABLE: NormalBalance.DEBIT,
    AccountPurpose.BANK_SETTLEMENT: NormalBalance.DEBIT,
    AccountPurpose.EXPENSE: NormalBalance.DEBIT,
    AccountPurpose.INCOME: NormalBalance.CREDIT,
    AccountPurpose.CLEARING: NormalBalance.DEBIT,
    AccountPurpose.EXTERNAL: NormalBalance.DEBIT,
}
# Purposes that may go below zero unless the caller says otherwise: only the outside world.
PURPOSE_MAY_GO_NEGATIVE = frozenset({AccountPurpose.EXTERNAL})


class Currency(models.TextChoices):
    CNY = "CNY", _("Renminbi (CNY)")


class Account(models.Model):
    owner = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="book_accounts",
        verbose_name=_("owner"),
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=AccountPurpose.choices)
    # Distinguishes several accounts of one owner and purpose: a budget year, a pool id, a scheme.
    key = models.CharField(_("key"), max_length=100, blank=True, default="")
    # "<purpose>/<owner id or 'platform'>/<key>": unique, so account_for() is a safe get-or-create.
    code = models.CharField(_("code"), max_length=200, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    normal_balance = models.CharField(_("normal balance"), max_length=6, choices=NormalBalance.choices)
    may_go_negative = models.BooleanField(_("may go negative"), default=False)
    # Cache of the balance in normal-side terms; written only under select_for_update().
    balance_fen = models.BigIntegerField(_("balance (fen)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("book account")
        verbose_name_plural = _("book accounts")
        ordering = ["id"]
        indexes = [models.Index(fields=["owner", "purpose"])]

    def __str__(self) -> str:
        return self.name or self.code

    @property
    def sign(self) -> int:
        """+1 when a debit raises the balance, -1 when a credit does."""
        return 1 if self.normal_balance == NormalBalance.DEBIT else -1

    @staticmethod
    def make_code(*, owner_id: int | None, purpose: str, key: str = "") -> str:
        return f"{purpose}/{owner_id if owner_id is not None else 'platform'}/{key}"


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk UPDATE and DELETE are refused in Python as well as by the PostgreSQL trigger."""

    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only; post a reversal instead")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only; post a reversal instead")

    delete.queryset_only = True


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only; post a reversal instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only; post a reversal instead")


class Transaction(AppendOnlyModel):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    # Idempotency: one business event, one reference (e.g. "vouchers:redemption:123").
    reference = models.CharField(_("reference"), max_length=200, unique=True)
    memo = models.CharField(_("memo"), max_length=500, blank=True)
    # Lets a domain object find its postings: ("vouchers.voucher", "123").
    subject_type = models.CharField(_("subject type"), max_length=100, blank=True)
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    # Groups several transactions of one flow (a claim's payout across pool layers, a batch).
    correlation = models.CharField(_("correlation"), max_length=100, blank=True, db_index=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("acting organisation"),
    )

    # Not a column: set by services.post_transaction to the uid of the trust-ledger entry it wrote.
    ledger_uid: str = ""

    class Meta:
        verbose_name = _("book transaction")
        verbose_name_plural = _("book transactions")
        ordering = ["id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class Posting(AppendOnlyModel):
    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="postings", verbose_name=_("transaction")
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings", verbose_name=_("account"))
    # Signed: positive is a debit, negative a credit. Never zero.
    amount_fen = models.BigIntegerField(_("amount (fen)"))

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "id"])]
        constraints = [models.CheckConstraint(condition=~models.Q(amount_fen=0), name="books_posting_nonzero")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount_fen}"
