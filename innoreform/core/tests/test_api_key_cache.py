"""The bank API keeps a key's rows per process for a while, but revocation, a deactivated
organisation and a wrong secret take effect on the very next call."""

import pytest
from django.test import Client

from innoreform.core import api_support, services
from innoreform.core.models import Organisation, OrgKind, Role
from innoreform.core.testing import make_actor

ME = "/api/bank/v1/institution/me"
pytestmark = pytest.mark.django_db


def _client():
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    key, secret = services.api_key_create(actor=actor, name="test")
    return actor, key, secret, Client(headers={"X-API-Key": secret})


def test_revocation_takes_effect_while_the_key_is_cached():
    actor, key, _secret, client = _client()
    assert client.get(ME).status_code == 200
    assert key.prefix in api_support._key_cache
    services.api_key_revoke(actor=actor, key=key)
    assert client.get(ME).status_code == 401
    assert key.prefix not in api_support._key_cache


def test_deactivated_organisation_is_refused_while_cached():
    actor, _key, _secret, client = _client()
    assert client.get(ME).status_code == 200
    Organisation.objects.filter(pk=actor.organisation_id).update(is_active=False)
    assert client.get(ME).status_code == 401


def test_a_wrong_secret_is_refused_when_the_prefix_is_cached():
    _actor, key, secret, client = _client()
    assert client.get(ME).status_code == 200
    wrong = key.prefix + "." + "x" * len(secret.partition(".")[2])
    assert Client(headers={"X-API-Key": wrong}).get(ME).status_code == 401


def test_each_call_gets_its_own_copy_of_the_cached_rows():
    actor, key, _secret, client = _client()
    client.get(ME)
    first = api_support._active_key(key.prefix)
    first.organisation.name = "changed by a request"
    second = api_support._active_key(key.prefix)
    assert second.organisation.name == actor.organisation.name
    assert second.organisation is not first.organisation


def test_a_copy_has_its_own_related_objects_and_is_not_new():
    actor, key, _secret, client = _client()
    client.get(ME)
    first = api_support._active_key(key.prefix)
    first.organisation = Organisation(name="swapped by a request")
    second = api_support._active_key(key.prefix)
    assert second.organisation.name == actor.organisation.name
    assert not second._state.adding and second._state.db == "default"
    assert second.organisation_id == actor.organisation_id
