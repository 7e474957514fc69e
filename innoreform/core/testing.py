"""Test helpers shared by every app's tests: organisations, users and actors in one call."""

import io
import itertools
from contextlib import contextmanager

from .actor import Actor
from .credit_code import make as make_credit_code
from .models import Membership, Organisation, OrgKind, Role, User
from .regions import Region

_seq = itertools.count(1)


def make_org(kind: str = OrgKind.ENTERPRISE, region: str = Region.GUANGZHOU, name: str | None = None,
             **extra) -> Organisation:
    n = next(_seq)
    credit_code = extra.pop("credit_code", None)
    if credit_code is None and region not in (Region.HONG_KONG, Region.MACAO):
        division = region if region.isdigit() else "110000"
        credit_code = make_credit_code("91", division, f"{n:08d}")
    return Organisation.objects.create(
        name=name or f"Test {kind} {n}", kind=kind, region=region, credit_code=credit_code, **extra
    )


def make_user(username: str | None = None, password: str = "correct horse battery", **extra) -> User:  # noqa: S107
    n = next(_seq)
    user = User(username=username or f"user{n}", **extra)
    user.set_password(password)
    user.save()
    return user


def make_actor(kind: str = OrgKind.ENTERPRISE, role: str = Role.MEMBER, org: Organisation | None = None,
               user: User | None = None, **org_extra) -> Actor:
    org = org or make_org(kind=kind, **org_extra)
    user = user or make_user()
    membership = Membership.objects.create(user=user, organisation=org, role=role)
    return Actor.for_membership(membership)


def english_client(**kwargs):
    """A test client whose visitor chose English with the language switch (pages ignore the
    browser's Accept-Language and default to zh-hans)."""
    from django.test import Client

    client = Client(**kwargs)
    client.cookies["django_language"] = "en"
    return client


@contextmanager
def request_signals_keep_connection():
    """Call a WSGI application in a test as Django's test client does: its request signals would
    otherwise close the database connection, and with it the test's transaction."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def xlsx_bomb(*, empty_rows: int, header: tuple[str, ...] = ("a", "b"), last_cell: str | None = None) -> bytes:
    """A small .xlsx whose first sheet is a header row and then `empty_rows` empty rows (and,
    with `last_cell`, one cell far away such as "XFD1048576"): kilobytes packed, megabytes of
    XML unpacked. For tests that the spreadsheet caps refuse it without reading every row."""
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(list(header))
    buffer = io.BytesIO()
    wb.save(buffer)
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(header))
    row = "".join(ch for ch in last_cell or "" if ch.isdigit())
    tail = f'<row r="{row}"><c r="{last_cell}"><v>1</v></c></row>' if last_cell else ""
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData><row r="1">' + cells.encode() + b"</row>"
             + b"<row/>" * empty_rows + tail.encode() + b"</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            data = sheet if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item.filename, data)
    return out.getvalue()
