"""Money is Decimal in yuan with 2 decimals (fen); this is the one place that rounds."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce

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


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("", "拾", "佰", "仟")
_SECTIONS = ("", "万", "亿", "万亿")


def _four_digits(number: int) -> str:
    """0 < number < 10000 in capitals, with 零 for inner gaps: 1005 → 壹仟零伍."""
    text, gap = "", False
    for place in range(3, -1, -1):
        digit = number // 10**place % 10
        if digit == 0:
            gap = bool(text)
            continue
        if gap:
            text += "零"
            gap = False
        text += _DIGITS[digit] + _PLACES[place]
    return text


def _yuan_in_capitals(number: int) -> str:
    sections = []
    while number:
        sections.append(number % 10000)
        number //= 10000
    text, gap = "", False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            gap = bool(text)
            continue
        # A zero is read where a lower section does not fill its thousands: 10,0005 → 拾万零伍.
        if text and (gap or section < 1000):
            text += "零"
        text += _four_digits(section) + _SECTIONS[index]
        gap = False
    return text


def amount_in_capitals(value) -> str:
    """123456.78 → 壹拾贰万叁仟肆佰伍拾陆元柒角捌分; 100 → 壹佰元整; 10.5 → 壹拾元伍角整;
    12.05 → 壹拾贰元零伍分. As cheques and invoices write it: 整 closes an amount that ends at
    元 or 角 (no 分), so nothing can be added after it; an amount ending in 分 takes no 整."""
    amount = round_fen(value)
    sign = "负" if amount < 0 else ""
    fen_total = int(abs(amount) * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if fen_total == 0:
        return "零元整"
    text = _yuan_in_capitals(yuan) + "元" if yuan else ""
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan and fen:
        text += "零"
    if fen:
        return sign + text + _DIGITS[fen] + "分"
    return sign + text + "整"


def money_sum(expression, condition=None):
    """SUM of money in a query, 0.00 rather than NULL when no row matches, wide enough for a
    county's total: the one aggregate the ledger, the dashboard and the reports add money with."""
    return Coalesce(
        Sum(
            expression, filter=condition, output_field=DecimalField(max_digits=16, decimal_places=2)
        ),
        Value(Decimal("0.00")),
    )
