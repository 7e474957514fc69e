"""Integer-fen arithmetic of the pools: the one rounding point (ROUND_HALF_UP) and the exact split
of an amount in proportion to weights (largest remainder: the parts always sum to the amount)."""

from decimal import ROUND_HALF_UP, Decimal


def round_fen(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pro_rata(amount: int, weights: list[int]) -> list[int]:
    """Split `amount` (fen, >= 0) in proportion to non-negative integer `weights`; the parts are
    integers summing exactly to `amount`. Leftover fen go to the largest remainders, ties to the
    earlier weight."""
    if amount < 0 or any(w < 0 for w in weights):
        raise ValueError("amount and weights must be non-negative")
    total = sum(weights)
    if total == 0:
        if amount:
            raise ValueError("cannot split a positive amount over zero weights")
        return [0] * len(weights)
    parts = [amount * w // total for w in weights]
    remainders = [(amount * w % total, -i) for i, w in enumerate(weights)]
    left = amount - sum(parts)
    for _rem, neg_i in sorted(remainders, reverse=True)[:left]:
        parts[-neg_i] += 1
    return parts
