"""Money and rate arithmetic in one place: integer fen, Decimal rates, ROUND_HALF_UP."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from django.utils.translation import gettext as _

RATE_PLACES = Decimal("0.000001")  # annual rates are kept to 0.0001 % (six decimal places)
MAX_FEN = 10**15  # 10 万亿元: far above any single loan; keeps every sum inside BIGINT


def round_fen(value: Decimal) -> int:
    """A Decimal amount of fen rounded half up to a whole fen."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def quantize_rate(rate: Decimal) -> Decimal:
    return Decimal(rate).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def percent_of(amount_fen: int, percent: Decimal) -> int:
    """`percent` % of an amount (50 = half), rounded half up to a fen. Named for its unit: a
    "share" is a fraction (vouchers.money.share_of(amount, Decimal("0.5")) is half)."""
    with localcontext() as ctx:
        ctx.prec = 40
        return round_fen(Decimal(amount_fen) * Decimal(percent) / Decimal(100))


def yuan_to_fen(raw) -> int:
    """'1,234.5' or 1234.5 yuan -> 123450 fen; more than two decimals is an error (ValueError)."""
    text = str(raw).replace(",", "").replace("，", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc
    if not value.is_finite():
        raise ValueError("not a number")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError("more than two decimal places")
    return int(fen)


def fen_to_yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def yuan_text(fen: int) -> str:
    """An amount with its unit in the reader's language: "1,234.50 元" / "1,234.50 yuan"."""
    return _("%(amount)s yuan") % {"amount": fen_to_yuan(fen)}


def split_largest_remainder(amount_fen: int, weights) -> list[int]:
    """Split a non-negative amount in proportion to non-negative weights (int or Decimal) into
    integer fen that sum exactly to the amount: leftover fen go to the largest remainders, ties to
    the earlier weight."""
    weights = [Decimal(w) for w in weights]
    if amount_fen < 0 or any(w < 0 for w in weights):
        raise ValueError("amount and weights must be non-negative")
    total = sum(weights, Decimal(0))
    if total == 0:
        if amount_fen:
            raise ValueError("cannot split a positive amount over zero weights")
        return [0] * len(weights)
    with localcontext() as ctx:
        ctx.prec = 60
        exact = [Decimal(amount_fen) * w / total for w in weights]
        parts = [int(x.to_integral_value(rounding="ROUND_FLOOR")) for x in exact]
        left = amount_fen - sum(parts)
        order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def split_by_vector(amount_fen: int, weights: dict[str, Decimal]) -> dict[str, int]:
    """Split an amount by named weights (e.g. a loss-sharing vector) into integer fen summing
    exactly to the amount; ties go to the name that sorts first."""
    names = sorted(weights)
    if sum(Decimal(weights[n]) for n in names) <= 0:
        raise ValueError("weights must sum to a positive number")
    return dict(zip(names, split_largest_remainder(amount_fen, [weights[n] for n in names]), strict=True))
