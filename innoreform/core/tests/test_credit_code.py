import pytest

from innoreform.core import credit_code


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038216",  # a published Shenzhen enterprise code
        "91350100M000100Y43",  # the worked example used in GB 32100 explanations
        "91440300708461136T",
    ],
)
def test_real_codes_are_valid(code):
    assert credit_code.validate(code) == code


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("91440300192203821", "length"),
        ("9144030019220382166", "length"),
        ("91440300192203821I", "alphabet"),  # I is not in the alphabet
        ("9144O300192203821", "length"),
        ("91AB0300192203821X", "division"),
        ("914403001922038217", "check"),
        ("914403001922038215", "check"),
    ],
)
def test_invalid_codes_give_a_reason(raw, reason):
    with pytest.raises(credit_code.CreditCodeError) as err:
        credit_code.validate(raw)
    assert err.value.reason == reason


def test_every_single_character_change_is_caught():
    good = "914403001922038216"
    for i in range(18):
        for ch in credit_code.ALPHABET:
            if ch == good[i]:
                continue
            mutated = good[:i] + ch + good[i + 1:]
            if i in range(2, 8) and not ch.isdigit():
                continue  # rejected for the division, checked above
            assert not credit_code.is_valid(mutated), mutated


def test_normalises_case_and_spaces():
    assert credit_code.validate(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_make_builds_valid_codes_with_valid_org_code():
    code = credit_code.make("91", "440600", "MA000001")
    assert credit_code.is_valid(code)
    assert credit_code.org_code_check_character(code[8:16]) == code[16]
