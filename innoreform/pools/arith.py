"""Integer-fen arithmetic of the pools, from the platform's one money module."""

from innoreform.core.money import round_fen, split_largest_remainder

__all__ = ["pro_rata", "round_fen"]


def pro_rata(amount: int, weights: list[int]) -> list[int]:
    """Split `amount` (fen, >= 0) in proportion to non-negative integer `weights`; the parts sum
    exactly to `amount` (largest remainders, ties to the earlier weight)."""
    return split_largest_remainder(amount, weights)
