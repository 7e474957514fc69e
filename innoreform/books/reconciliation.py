"""Reconciliation: find every break in the books, and between the books and what the domains
say should be in them. A clean book reports zero breaks.

Checks on the books alone:
- unbalanced_transaction: a transaction's postings do not sum to zero (a posting lost or altered)
- missing_postings: a transaction with fewer than two postings
- duplicate_posting: the same account twice in one transaction (services never write that)
- balance_mismatch: an account's cached balance differs from the sum of its postings
- negative_balance: a guarded account whose postings sum below zero
- reversal_mismatch: a reversal that is not the exact mirror of the transaction it reverses

Checks against domain expectations (each domain registers a source, see `register_source`):
- missing_transaction: an expected business event has no (unreversed) transaction
- mismatched_posting: its transaction moved other amounts or accounts than expected
- duplicate_transaction: another unreversed transaction for the same subject and kind
- unexpected_transaction: a transaction of a kind the domain owns that no expectation explains

Balance checks alone do not catch a double payment (the books still sum to zero): that is what
the domain expectations are for (e.g. vouchers: one redemption per claim, at most face value).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Sum

from .models import Account, Posting, Transaction

BREAK_KINDS = (
    "unbalanced_transaction",
    "missing_postings",
    "duplicate_posting",
    "balance_mismatch",
    "negative_balance",
    "reversal_mismatch",
    "missing_transaction",
    "mismatched_posting",
    "duplicate_transaction",
    "unexpected_transaction",
)


@dataclass(frozen=True)
class Break:
    kind: str
    detail: dict

    def as_dict(self) -> dict:
        return {"kind": self.kind, **self.detail}


@dataclass(frozen=True)
class Expected:
    """What a domain says one business event should have posted."""

    reference: str
    lines: dict[int, int]  # account id -> signed amount in fen
    kind: str = ""
    subject_type: str = ""
    subject_id: str = ""


@dataclass
class Report:
    breaks: list[Break] = field(default_factory=list)
    transactions: int = 0
    postings: int = 0
    accounts: int = 0
    expectations: int = 0

    @property
    def clean(self) -> bool:
        return not self.breaks

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(BREAK_KINDS, 0)
        for b in self.breaks:
            out[b.kind] += 1
        return out

    def as_dict(self) -> dict:
        data = {k: v for k, v in asdict(self).items() if k != "breaks"}
        return {**data, "clean": self.clean, "counts": self.counts(), "breaks": [b.as_dict() for b in self.breaks]}


# A source returns (kinds it owns, expectations). Registered by domain apps in AppConfig.ready().
Source = Callable[[], tuple[Iterable[str], Iterable[Expected]]]
_sources: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    _sources[name] = source


def registered_sources() -> dict[str, Source]:
    return dict(_sources)


CHUNK = 500  # IN (...) lists stay small (SQLite limits bound parameters)


def _chunks(values: list) -> Iterable[list]:
    for i in range(0, len(values), CHUNK):
        yield values[i:i + CHUNK]


def _lines_of(transaction_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """{transaction id: {account id: summed amount}} for the given transactions."""
    lines: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for chunk in _chunks(sorted(set(transaction_ids))):
        for txn_id, account_id, amount in Posting.objects.filter(transaction_id__in=chunk).values_list(
                "transaction_id", "account_id", "amount_fen"):
            lines[txn_id][account_id] += amount
    return lines


def _book_checks(report: Report) -> None:
    unbalanced = (Posting.objects.values("transaction_id").annotate(s=Sum("amount_fen"))
                  .exclude(s=0).order_by("transaction_id"))
    for row in unbalanced:
        report.breaks.append(Break("unbalanced_transaction", {"transaction_id": row["transaction_id"],
                                                              "sum_fen": row["s"]}))
    for row in (Transaction.objects.annotate(n=Count("postings")).filter(n__lt=2)
                .values("id", "reference", "n").order_by("id")):
        report.breaks.append(Break("missing_postings", {"transaction_id": row["id"], "reference": row["reference"],
                                                        "postings": row["n"]}))
    for row in (Posting.objects.values("transaction_id", "account_id").annotate(n=Count("id"))
                .filter(n__gt=1).order_by("transaction_id", "account_id")):
        report.breaks.append(Break("duplicate_posting", {"transaction_id": row["transaction_id"],
                                                         "account_id": row["account_id"], "postings": row["n"]}))
    sums = dict(Posting.objects.values("account_id").annotate(s=Sum("amount_fen")).values_list("account_id", "s"))
    for account in Account.objects.order_by("id").only("id", "code", "normal_balance", "may_go_negative",
                                                       "balance_fen"):
        derived = account.sign * (sums.get(account.pk) or 0)
        if derived != account.balance_fen:
            report.breaks.append(Break("balance_mismatch", {"account_id": account.pk, "code": account.code,
                                                            "cached_fen": account.balance_fen,
                                                            "derived_fen": derived}))
        if derived < 0 and not account.may_go_negative:
            report.breaks.append(Break("negative_balance", {"account_id": account.pk, "code": account.code,
                                                            "derived_fen": derived}))
    reversals = Transaction.objects.filter(reverses__isnull=False).values_list("id", "reverses_id")
    pairs = dict(reversals)
    if pairs:
        lines = _lines_of(set(pairs) | set(pairs.values()))
        for reversal_id, original_id in sorted(pairs.items()):
            mirrored = {a: -v for a, v in lines[original_id].items()}
            if dict(lines[reversal_id]) != mirrored:
                report.breaks.append(Break("reversal_mismatch", {"transaction_id": reversal_id,
                                                                 "reverses_id": original_id}))


def _expectation_checks(report: Report, kinds: set[str], expected: list[Expected]) -> None:
    reversed_ids = set(Transaction.objects.filter(reverses__isnull=False).values_list("reverses_id", flat=True))
    by_reference = {e.reference: e for e in expected}
    found = {}
    for chunk in _chunks(list(by_reference)):
        found.update({t.reference: t for t in Transaction.objects.filter(reference__in=chunk)})
    found_lines = _lines_of(t.pk for t in found.values())
    for e in expected:
        txn = found.get(e.reference)
        if txn is None or txn.pk in reversed_ids:
            report.breaks.append(Break("missing_transaction", {"reference": e.reference,
                                                               "reversed": txn is not None}))
            continue
        actual = dict(found_lines[txn.pk])
        if actual != {a: v for a, v in e.lines.items() if v}:
            report.breaks.append(Break("mismatched_posting", {
                "reference": e.reference, "transaction_id": txn.pk,
                "expected": {str(k): v for k, v in sorted(e.lines.items())},
                "actual": {str(k): v for k, v in sorted(actual.items())},
            }))
    if not kinds:
        return
    subjects = {(e.kind, e.subject_type, str(e.subject_id)): e.reference for e in expected if e.subject_type}
    reversed_subquery = Transaction.objects.filter(reverses__isnull=False).values("reverses_id")
    in_scope = (Transaction.objects.filter(kind__in=kinds, reverses__isnull=True).exclude(pk__in=reversed_subquery)
                .values_list("id", "reference", "kind", "subject_type", "subject_id").order_by("id"))
    for txn_id, reference, kind, subject_type, subject_id in in_scope:
        if reference in by_reference:
            continue
        twin = subjects.get((kind, subject_type, subject_id))
        if twin is not None:
            report.breaks.append(Break("duplicate_transaction", {"transaction_id": txn_id, "reference": reference,
                                                                 "duplicates": twin}))
        else:
            report.breaks.append(Break("unexpected_transaction", {"transaction_id": txn_id,
                                                                  "reference": reference, "kind": kind}))


def reconcile(*, expected: Iterable[Expected] | None = None, kinds: Iterable[str] | None = None,
              include_sources: bool = False) -> Report:
    """Check the books; with `expected`, also check them against a domain's expectations for the
    transaction kinds it owns (`kinds`, by default the kinds named in the expectations).
    `include_sources` adds every registered domain source."""
    report = Report(transactions=Transaction.objects.count(), postings=Posting.objects.count(),
                    accounts=Account.objects.count())
    _book_checks(report)
    groups: list[tuple[set[str], list[Expected]]] = []
    if expected is not None:
        exp = list(expected)
        groups.append((set(kinds) if kinds is not None else {e.kind for e in exp if e.kind}, exp))
    if include_sources:
        for source in _sources.values():
            source_kinds, source_expected = source()
            groups.append((set(source_kinds), list(source_expected)))
    for group_kinds, group_expected in groups:
        report.expectations += len(group_expected)
        _expectation_checks(report, group_kinds, group_expected)
    return report
