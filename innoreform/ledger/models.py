"""The trust ledger's tables.

- LedgerPending: entries appended by domains inside their own transactions, waiting for the
  sequencer (a queue; rows are deleted once integrated).
- LedgerEntry: the log itself, one row per leaf (index, entry bytes, leaf hash). Append-only.
- LedgerNode: the hash of every complete subtree at level >= 1, keyed by
  node_id = level << 56 | index, so any proof or tile is a handful of primary-key reads. Append-only.
- LedgerHead: the single row with the current size and root, locked by the sequencer.
- LedgerCheckpoint: every signed checkpoint with its cosignatures. Append-only.
- WitnessView: the size each configured witness last cosigned (the `old` of the next request).
- Evidence: preserved files/texts and their receipts.

On PostgreSQL a trigger refuses UPDATE and DELETE on the append-only tables (migration 0002).
"""

import json
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

NODE_LEVEL_SHIFT = 56


def node_id(level: int, index: int) -> int:
    return level << NODE_LEVEL_SHIFT | index


class LedgerPending(models.Model):
    """A queue: no secondary indexes (the uid is unique on LedgerEntry), so queueing stays cheap."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    body = models.BinaryField()
    entry_type = models.CharField(max_length=64)
    organisation = models.ForeignKey("core.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", db_index=False)
    subject_organisation = models.ForeignKey("core.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="+", db_index=False)
    created_at = models.DateTimeField()


class LedgerEntry(models.Model):
    index = models.BigIntegerField(primary_key=True)
    uid = models.UUIDField(unique=True, editable=False)
    leaf_hash = models.BinaryField(max_length=32)
    body = models.BinaryField()
    entry_type = models.CharField(_("type"), max_length=64)
    # Indexes are kept to what reads need (uid lookups, each party's page): each one costs appends.
    organisation = models.ForeignKey("core.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("acting organisation"), db_index=False)
    # Whose data the entry is about: kept here (not on the public log) for the enterprise's page;
    # served by the (subject_organisation, index) index below.
    subject_organisation = models.ForeignKey("core.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="+", verbose_name=_("about organisation"), db_index=False)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["index"]
        # The second serves the acting side of "my entries": a bank sees the reads and disbursements
        # it made, not only entries about itself (issue 21).
        indexes = [models.Index(fields=["subject_organisation", "index"]),
                   models.Index(fields=["organisation", "index"], name="ledger_entry_actor_idx")]

    @property
    def data(self) -> dict:
        return json.loads(bytes(self.body))

    @property
    def purpose(self) -> str:
        return self.data.get("purpose", "")


class LedgerNode(models.Model):
    node_id = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)


class LedgerHead(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    root = models.BinaryField(max_length=32)
    # the compact range (right-border subtree hashes, largest first, 32 bytes each): a sequencer
    # resumes from it without reading LedgerNode; `ledger verify` checks it against the nodes
    border = models.BinaryField(default=b"")
    updated_at = models.DateTimeField(auto_now=True)


class LedgerCheckpoint(models.Model):
    size = models.BigIntegerField(_("size"))
    root = models.BinaryField(max_length=32)
    note = models.TextField(_("signed checkpoint"))
    cosignatures = models.PositiveSmallIntegerField(_("cosignatures"), default=0)
    cosigned = models.BooleanField(_("quorum reached"), default=False)
    # RFC 3161 TimeStampToken (DER) over the note bytes above, when a TSA is configured
    tsa_token = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["size"])]


class WitnessView(models.Model):
    name = models.CharField(max_length=200, unique=True)
    size = models.BigIntegerField(default=0)
    last_status = models.IntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


def evidence_path(instance, filename):
    return f"ledger/evidence/{instance.uid}"


class Evidence(models.Model):
    uid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organisation"))
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=evidence_path)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField(_("bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=71)
    entry_uid = models.UUIDField(unique=True)
    receipt = models.TextField(_("receipt"), blank=True)
    checkpoint = models.ForeignKey(LedgerCheckpoint, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    case_ref = models.CharField(_("case"), max_length=100, blank=True)
    created_by = models.ForeignKey("core.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-id"]
        indexes = [models.Index(fields=["organisation", "-id"])]

    def __str__(self) -> str:
        return self.title
