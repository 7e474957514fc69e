"""Test helpers shared by every app's tests: organisations, users and actors in one call."""

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

