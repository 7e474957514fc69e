"""Portal pages of the books: accounts, an account statement and the trial balance, each with
CSV and Excel export (?format=csv|xlsx)."""

from operator import itemgetter

from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy, pgettext_lazy

from innoreform.core.exports import EXPORT_FORMATS, Column, export_response
from innoreform.core.listing import active_filters, list_page
from innoreform.core.money import fen_to_yuan
from innoreform.core.views import portal_view

from . import selectors
from .forms import AccountFilterForm, StatementFilterForm, TrialBalanceFilterForm


def _owner_name(account) -> str:
    return account.owner.name if account.owner_id else str(gettext_lazy("Platform (public funds)"))


ACCOUNT_COLUMNS = [
    Column(gettext_lazy("ID"), lambda a: a.pk),
    Column(gettext_lazy("Code"), lambda a: a.code),
    Column(gettext_lazy("Name"), lambda a: a.name),
    Column(gettext_lazy("Owner"), _owner_name),
    Column(gettext_lazy("Purpose"), lambda a: a.get_purpose_display()),
    Column(gettext_lazy("Normal balance"), lambda a: a.get_normal_balance_display()),
    Column(gettext_lazy("Currency"), lambda a: a.currency),
    Column(gettext_lazy("Balance (yuan)"), lambda a: fen_to_yuan(a.balance_fen)),
    Column(gettext_lazy("Balance (fen)"), lambda a: a.balance_fen),
]


def _account_rows(actor, filters: dict):
    qs = selectors.account_list(actor=actor, purpose=filters.get("purpose"))
    if filters.get("q"):
        qs = qs.filter(Q(name__icontains=filters["q"]) | Q(code__icontains=filters["q"]))
    return qs


@portal_view
def account_list(request):
    actor = request.actor
    return list_page(
        request, form_class=AccountFilterForm, columns=ACCOUNT_COLUMNS,
        rows=lambda f: _account_rows(actor, f), template="books/account_list.html", filename="accounts",
        context={"sees_all": selectors.sees_all(actor)},
    )


STATEMENT_COLUMNS = [
    Column(gettext_lazy("Posting"), lambda line: line.posting_id),
    Column(gettext_lazy("Time"), lambda line: line.created_at.isoformat()),
    Column(gettext_lazy("Transaction"), lambda line: line.transaction_uuid),
    Column(gettext_lazy("Kind"), lambda line: line.kind),
    Column(gettext_lazy("Reference"), lambda line: line.reference),
    Column(gettext_lazy("Memo"), lambda line: line.memo),
    Column(gettext_lazy("Debit (yuan)"), lambda line: fen_to_yuan(line.debit_fen) if line.debit_fen else ""),
    Column(gettext_lazy("Credit (yuan)"), lambda line: fen_to_yuan(line.credit_fen) if line.credit_fen else ""),
    Column(gettext_lazy("Balance (yuan)"), lambda line: fen_to_yuan(line.balance_fen)),
    Column(gettext_lazy("Debit (fen)"), lambda line: line.debit_fen),
    Column(gettext_lazy("Credit (fen)"), lambda line: line.credit_fen),
    Column(gettext_lazy("Balance (fen)"), lambda line: line.balance_fen),
    Column(gettext_lazy("Reverses"), lambda line: line.reverses_uuid or ""),
]


@portal_view
def account_statement(request, pk: int):
    actor = request.actor
    form = StatementFilterForm(request.GET or None)
    filters = active_filters(form) if request.GET else {}
    statement = selectors.account_statement(actor=actor, account_id=pk, date_from=filters.get("date_from"),
                                            date_to=filters.get("date_to"))
    fmt = request.GET.get("format", "")
    if fmt in EXPORT_FORMATS:
        return export_response(filename=f"statement-{statement.account.pk}", columns=STATEMENT_COLUMNS,
                               rows=statement.lines, fmt=fmt)
    balance = selectors.account_balance(actor=actor, account_id=pk)
    return render(request, "books/statement.html", {
        "form": form, "filtered": bool(filters), "statement": statement, "account": statement.account,
        "balance": balance, "export_formats": EXPORT_FORMATS,
    })


TRIAL_BALANCE_HEADERS = [
    pgettext_lazy("book account", "Account"), gettext_lazy("Code"), gettext_lazy("Name"), gettext_lazy("Owner"),
    gettext_lazy("Purpose"), gettext_lazy("Debit (yuan)"), gettext_lazy("Credit (yuan)"),
    gettext_lazy("Debit (fen)"), gettext_lazy("Credit (fen)"),
]
TRIAL_BALANCE_COLUMNS = [Column(label, itemgetter(i)) for i, label in enumerate(TRIAL_BALANCE_HEADERS)]


def _trial_balance_export_rows(tb) -> list[list]:
    rows = [
        [r.account.pk, r.account.code, r.account.name, _owner_name(r.account), r.account.get_purpose_display(),
         fen_to_yuan(r.debit_fen) if r.debit_fen else "", fen_to_yuan(r.credit_fen) if r.credit_fen else "",
         r.debit_fen, r.credit_fen]
        for r in tb.rows
    ]
    rows.append(["", str(gettext_lazy("Total")), "", "", "", fen_to_yuan(tb.total_debit_fen),
                 fen_to_yuan(tb.total_credit_fen), tb.total_debit_fen, tb.total_credit_fen])
    return rows


@portal_view
def trial_balance(request):
    actor = request.actor
    form = TrialBalanceFilterForm(request.GET or None)
    filters = active_filters(form) if request.GET else {}
    tb = selectors.trial_balance(actor=actor, as_of=filters.get("as_of"), purpose=filters.get("purpose"))
    fmt = request.GET.get("format", "")
    if fmt in EXPORT_FORMATS:
        return export_response(filename="trial-balance", columns=TRIAL_BALANCE_COLUMNS,
                               rows=_trial_balance_export_rows(tb),
                               fmt=fmt)
    return render(request, "books/trial_balance.html", {
        "form": form, "filtered": bool(filters), "tb": tb, "export_formats": EXPORT_FORMATS,
    })
