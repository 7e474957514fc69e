"""Issue #19 item 7: money and ids are strict integers; names refuse control and bidi/format
characters (Unicode categories Cc and Cf)."""

import pytest

from innoreform.core.models import ApiKey, OrgKind, Role
from innoreform.core.testing import make_actor

from .test_api import IDEM, bank_client, session_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("amount", ["true", '"100"', "1e3", "100.0", "false"])
def test_money_is_a_strict_integer(amount):
    _, _, client = bank_client()
    response = client.post(IDEM, data=f'{{"reference": "r", "amount_fen": {amount}}}',
                           content_type="application/json", headers={"Idempotency-Key": f"k{amount}"})
    assert response.status_code == 422, response.content
    assert "amount_fen" in response.json()["details"]


def test_an_integer_amount_is_accepted():
    _, _, client = bank_client()
    response = client.post(IDEM, data='{"reference": "r", "amount_fen": 100}', content_type="application/json",
                           headers={"Idempotency-Key": "ok"})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("raw", ["{pk}.0", "{pk}%20", "%20{pk}", "0{pk}", "+{pk}", "{pk}e0"])
def test_path_ids_must_be_canonical_integers(raw):
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    client = session_client(actor)
    key_id = client.post("/api/v1/core/api-keys", data={"name": "k"}, content_type="application/json").json()["id"]
    response = client.post(f"/api/v1/core/api-keys/{raw.format(pk=key_id)}/revoke")
    assert response.status_code == 422, response.content
    assert ApiKey.objects.get(pk=key_id).revoked_at is None
    assert client.post(f"/api/v1/core/api-keys/{key_id}/revoke").status_code == 200


@pytest.mark.parametrize("name", ["evil\u202egnp.exe", "a\u200bb", "\ufeffname", "a\u2066b\u2069", "tab\there",
                                  "a\u200fb", "nl\n"])
def test_names_refuse_control_and_format_characters(name):
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    response = session_client(actor).post("/api/v1/core/api-keys", data={"name": name},
                                          content_type="application/json", headers={"Accept-Language": "en"})
    assert response.status_code == 422, response.content
    assert response.json()["details"]["name"] == ["Names may not contain control or invisible formatting characters."]


def test_ordinary_names_in_any_script_are_accepted():
    actor = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    for name in ("广州银行 API 密钥", "Straße-1", "𠀀 ext-B"):
        response = session_client(actor).post("/api/v1/core/api-keys", data={"name": name},
                                              content_type="application/json")
        assert response.status_code == 201, (name, response.content)


def test_the_published_name_pattern_matches_unicodedata_on_the_basic_plane():
    import re
    import unicodedata

    from innoreform.core.api_support import NAME_PATTERN

    allowed = re.compile(NAME_PATTERN)
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        char = chr(cp)
        assert bool(allowed.fullmatch(char)) == (unicodedata.category(char) not in ("Cc", "Cf")), hex(cp)


def test_astral_format_characters_are_refused_too():
    from pydantic import TypeAdapter, ValidationError

    from innoreform.core.api_support import Name

    for char in ("\U000E0001", "\U000110BD", "\U0001D173"):
        with pytest.raises(ValidationError):
            TypeAdapter(Name).validate_python(f"a{char}")
    assert TypeAdapter(Name).validate_python("a\U00020000") == "a\U00020000"


def test_patent_aliases_are_names_too():
    actor = make_actor(kind=OrgKind.DEPARTMENT, role=Role.ADMINISTRATOR)
    response = session_client(actor).post("/api/v1/patents/aliases",
                                          data={"alias": "ACME\u202e", "canonical": "艾克米"},
                                          content_type="application/json", headers={"Accept-Language": "en"})
    assert response.status_code == 422, response.content
    assert response.json()["details"]["alias"] == ["Names may not contain control or invisible formatting characters."]
