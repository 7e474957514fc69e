"""Selectors, API and pages: scoping (own accounts; departments and the operator see all;
others 404), statements with running balances, trial balance, CSV/Excel exports."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from innoreform.books import selectors, services
from innoreform.books.models import AccountPurpose
from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound
from innoreform.core.models import Jurisdiction, OrgKind
from innoreform.core.money import fen_to_yuan
from innoreform.core.testing import make_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(system):
    province = make_actor(kind=OrgKind.DEPARTMENT, jurisdiction=Jurisdiction.PROVINCE)
    bank = make_actor(kind=OrgKind.BANK)
    other_bank = make_actor(kind=OrgKind.BANK)
    operator = make_actor(kind=OrgKind.PLATFORM_OPERATOR)
    enterprise = make_actor(kind=OrgKind.ENTERPRISE)
    acc = services.account_for
    pool = acc(actor=system, owner=province.organisation, purpose=AccountPurpose.POOL, name="Province pool")
    source = acc(actor=system, owner=province.organisation, purpose=AccountPurpose.FUNDING_SOURCE)
    expense = acc(actor=system, owner=None, purpose=AccountPurpose.EXPENSE, name="Compensation expense")
    payable = acc(actor=system, owner=bank.organisation, purpose=AccountPurpose.INSTITUTION_PAYABLE,
                  name="Owed to the bank")
    other_payable = acc(actor=system, owner=other_bank.organisation, purpose=AccountPurpose.INSTITUTION_PAYABLE)
    post = services.post_transaction
    post(actor=system, kind="contribution", reference="c1", memo="=HYPERLINK(\"x\")",
         lines=[(pool, 1_000_000), (source, -1_000_000)])
    post(actor=system, kind="approve", reference="a1", lines=[(expense, 250_050), (payable, -250_050)])
    t = post(actor=system, kind="payout", reference="p1", lines=[(payable, 250_050), (pool, -250_050)])
    services.reverse_transaction(actor=system, transaction=t, reason="paid to the wrong bank")
    post(actor=system, kind="approve", reference="a2", lines=[(expense, 7), (other_payable, -7)])
    return dict(province=province, bank=bank, other_bank=other_bank, operator=operator, enterprise=enterprise,
                pool=pool, source=source, expense=expense, payable=payable, other_payable=other_payable)


def test_scoping_of_accounts(world):
    bank_ids = set(selectors.account_list(actor=world["bank"]).values_list("id", flat=True))
    assert bank_ids == {world["payable"].pk}
    all_ids = {a.pk for a in (world["pool"], world["source"], world["expense"], world["payable"],
                              world["other_payable"])}
    for who in ("province", "operator"):
        assert set(selectors.account_list(actor=world[who]).values_list("id", flat=True)) == all_ids
    assert list(selectors.account_list(actor=world["enterprise"])) == []
    with pytest.raises(NotFound):
        selectors.account_get(actor=world["bank"], account_id=world["other_payable"].pk)
    with pytest.raises(NotFound):
        selectors.account_statement(actor=world["enterprise"], account_id=world["pool"].pk)
    with pytest.raises(NotFound):
        selectors.trial_balance(actor=Actor(user=None, organisation=None, role=None))


def test_statement_running_balance_and_dates(world):
    st = selectors.account_statement(actor=world["province"], account_id=world["pool"].pk)
    assert [(line.kind, line.debit_fen, line.credit_fen, line.balance_fen) for line in st.lines] == [
        ("contribution", 1_000_000, 0, 1_000_000),
        ("payout", 0, 250_050, 749_950),
        ("reversal", 250_050, 0, 1_000_000),
    ]
    assert st.opening_fen == 0 and st.closing_fen == 1_000_000
    assert st.lines[2].reverses_uuid == st.lines[1].transaction_uuid
    # Credit-normal account: a credit raises the balance.
    payable = selectors.account_statement(actor=world["bank"], account_id=world["payable"].pk)
    assert [line.balance_fen for line in payable.lines] == [250_050, 0, 250_050]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    later = selectors.account_statement(actor=world["province"], account_id=world["pool"].pk, date_from=tomorrow)
    assert later.lines == [] and later.opening_fen == 1_000_000 and later.closing_fen == 1_000_000
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    earlier = selectors.account_statement(actor=world["province"], account_id=world["pool"].pk, date_to=yesterday)
    assert earlier.lines == [] and earlier.closing_fen == 0
    capped = selectors.account_statement(actor=world["province"], account_id=world["pool"].pk, max_lines=2)
    assert capped.truncated and len(capped.lines) == 2


def test_balance_cached_and_derived(world):
    b = selectors.account_balance(actor=world["province"], account_id=world["pool"].pk)
    assert b.cached_fen == b.derived_fen == 1_000_000 and b.matches


def test_trial_balance_full_and_scoped(world):
    tb = selectors.trial_balance(actor=world["operator"])
    assert tb.complete and tb.balanced
    assert tb.total_debit_fen == tb.total_credit_fen == 1_000_000 + 250_050 + 7
    by_id = {r.account.pk: r for r in tb.rows}
    assert by_id[world["payable"].pk].credit_fen == 250_050 and by_id[world["payable"].pk].balance_fen == 250_050
    own = selectors.trial_balance(actor=world["bank"])
    assert not own.complete and [r.account.pk for r in own.rows] == [world["payable"].pk]
    before = selectors.trial_balance(actor=world["operator"], as_of=timezone.localdate() - dt.timedelta(days=1))
    assert before.total_debit_fen == 0 and before.balanced


def test_fen_to_yuan():
    assert fen_to_yuan(0) == "0.00"
    assert fen_to_yuan(5) == "0.05"
    assert fen_to_yuan(123456789) == "1,234,567.89"
    assert fen_to_yuan(-250050) == "-2,500.50"


# --- API ----------------------------------------------------------------------------------------


def client_for(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def test_api_balances_statement_trial_balance(world):
    bank = client_for(world["bank"])
    r = bank.get("/api/v1/books/accounts")
    assert r.status_code == 200
    assert [a["id"] for a in r.json()["items"]] == [world["payable"].pk]
    r = bank.get(f"/api/v1/books/accounts/{world['payable'].pk}")
    assert r.status_code == 200 and r.json()["cached_fen"] == 250_050 and r.json()["matches"] is True
    r = bank.get(f"/api/v1/books/accounts/{world['payable'].pk}/statement")
    assert [line["balance_fen"] for line in r.json()["lines"]] == [250_050, 0, 250_050]
    # Another tenant's account, and a missing one, look the same.
    for account_id in (world["other_payable"].pk, 999_999):
        r = bank.get(f"/api/v1/books/accounts/{account_id}/statement")
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = client_for(world["operator"]).get("/api/v1/books/trial-balance")
    body = r.json()
    assert r.status_code == 200 and body["complete"] and body["balanced"]
    assert body["total_debit_fen"] == body["total_credit_fen"] == 1_250_057
    r = client_for(world["province"]).get("/api/v1/books/trial-balance?purpose=pool")
    assert r.json()["complete"] is False and len(r.json()["rows"]) == 1
    assert Client().get("/api/v1/books/accounts").status_code == 401
    assert bank.get("/api/v1/books/accounts?limit=0").status_code == 422


def test_bank_api_sees_own_accounts_only(world):
    from innoreform.core import services as core_services

    bank_admin = make_actor(kind=OrgKind.BANK, role="administrator", org=world["bank"].organisation)
    _key, secret = core_services.api_key_create(actor=bank_admin, name="books test")
    headers = {"HTTP_X_API_KEY": secret}
    r = Client().get("/api/bank/v1/books/accounts", **headers)
    assert r.status_code == 200, r.content
    assert [a["id"] for a in r.json()["items"]] == [world["payable"].pk]
    assert Client().get(f"/api/bank/v1/books/accounts/{world['pool'].pk}", **headers).status_code == 404


# --- pages --------------------------------------------------------------------------------------


def test_pages_render_and_scope(world):
    province = client_for(world["province"])
    r = province.get("/books/")
    assert r.status_code == 200 and "Province pool" in r.content.decode()
    r = province.get(f"/books/accounts/{world['pool'].pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and "10,000.00" in html and "2,500.50" in html
    r = province.get("/books/trial-balance/")
    assert r.status_code == 200 and "12,500.57" in r.content.decode()
    bank = client_for(world["bank"])
    assert bank.get(f"/books/accounts/{world['pool'].pk}/").status_code == 404
    assert bank.get("/books/trial-balance/").status_code == 200  # its own part of the book
    assert Client().get("/books/").status_code == 302


def test_statement_exports(world):
    province = client_for(world["province"])
    r = province.get(f"/books/accounts/{world['pool'].pk}/?format=csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 4  # header + 3 postings
    assert rows[1][5].startswith("'=")  # the formula-like memo is neutralised
    assert [row[11] for row in rows[1:]] == ["1000000", "749950", "1000000"]
    r = province.get(f"/books/accounts/{world['pool'].pk}/?format=xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    values = list(sheet.values)
    assert len(values) == 4 and values[3][11] == 1_000_000


def test_trial_balance_export_has_totals(world):
    r = client_for(world["operator"]).get("/books/trial-balance/?format=xlsx")
    values = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert values[-1][7] == values[-1][8] == 1_250_057
    assert len(values) == 1 + 5 + 1


def test_extreme_dates_do_not_overflow(world):
    for params in ("date_from=0001-01-01&date_to=9999-12-31", "date_to=9999-12-30", "date_from=9999-12-31"):
        r = client_for(world["province"]).get(f"/api/v1/books/accounts/{world['pool'].pk}/statement?{params}")
        assert r.status_code == 200, (params, r.content)
    r = client_for(world["operator"]).get("/api/v1/books/trial-balance?as_of=9999-12-31")
    assert r.status_code == 200 and r.json()["total_debit_fen"] == 1_250_057


def test_page_queries_do_not_grow_with_rows(system, world, django_assert_max_num_queries):
    client = client_for(world["operator"])
    urls = ["/books/", f"/books/accounts/{world['pool'].pk}/", "/books/trial-balance/"]
    counts = {}
    for url in urls:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx)
    for i in range(10):
        owner = make_actor(kind=OrgKind.BANK).organisation
        payable = services.account_for(actor=system, owner=owner, purpose=AccountPurpose.INSTITUTION_PAYABLE)
        services.post_transaction(actor=system, kind="approve", reference=f"more:{i}",
                                  lines=[(world["expense"], 1), (payable, -1)])
        services.post_transaction(actor=system, kind="payout", reference=f"more-pay:{i}",
                                  lines=[(payable, 1), (world["pool"], -1)])
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
