"""Unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from a 31-symbol alphabet (no I, O, Z, S, V): registration authority, organisation
type, 6-digit administrative division, 9-character organisation code (GB 11714, with its own check
character) and a final check character computed with weights 3^i mod 31.
"""

from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]

# GB 11714 organisation code: 8 body characters (digits or letters), weights below, mod 11.
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


@dataclass(frozen=True)
class CreditCodeError(ValueError):
    code: str
    reason: str

    def __str__(self) -> str:
        return self.reason


def check_character(first17: str) -> str:
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _org_code_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def org_code_check_character(body8: str) -> str:
    total = sum(_org_code_value(ch) * w for ch, w in zip(body8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def normalise(raw: str) -> str:
    return (raw or "").strip().upper().replace(" ", "")


def validate(raw: str) -> str:
    """Return the normalised code or raise CreditCodeError with a reason code.

    Reasons: length, alphabet, division, check.
    """
    code = normalise(raw)
    if len(code) != 18:
        raise CreditCodeError(code, "length")
    bad = [ch for ch in code if ch not in _VALUE]
    if bad:
        raise CreditCodeError(code, "alphabet")
    if not code[2:8].isdigit():
        raise CreditCodeError(code, "division")
    if check_character(code[:17]) != code[17]:
        raise CreditCodeError(code, "check")
    return code


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except CreditCodeError:
        return False
    return True


def make(prefix: str, division: str, org_body: str) -> str:
    """Build a valid code from its parts (used for demo and synthetic data).

    prefix: two characters (e.g. "91" = 工商 enterprise); division: 6 digits; org_body: 8 characters.
    """
    org = org_body + org_code_check_character(org_body)
    first17 = prefix + division + org
    return first17 + check_character(first17)
