"""Money is Decimal in yuan with 2 decimals (fen); this is the one place that rounds."""

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
WAN = Decimal("10000")


def to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("money must not pass through float")
    return Decimal(str(value))


def round_fen(value) -> Decimal:
    return to_decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def format_yuan(value) -> str:
    """12345678.9 → '12,345,678.90'."""
    return f"{round_fen(value):,.2f}"


def format_wanyuan(value) -> str:
    """Amount in 万元 with 2 decimals: 12345678.9 → '1,234.57'."""
    return f"{round_fen(to_decimal(value) / WAN):,.2f}"
