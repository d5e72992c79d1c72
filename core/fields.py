"""What a typed amount or business date may be, decided once for every form (DESIGN §3: money
is Decimal in yuan with 2 decimals; dates are local dates).

An absurd value — NaN, Infinity, 1e30, more decimals or digits than a column holds, a date in
year 1 or 99999 — is a form error in Chinese here, before any service, engine or database sees
it: none of them has to guard against values no one can mean, and none answers a 500 for one.
The pure `parse_*` functions serve the forms that read several values from one text box (the
fee calculator's payments and suspensions, the late-fee rate table).
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from core.excel import normalize_number_text
from core.money import FEN, format_yuan

# Every money column is numeric(14, 2) (MONEY in arrears.models and enforcement.models.cases):
# at most 999,999,999,999.99. One amount typed into a form stays 100 times below that, so that
# what is computed from amounts still fits a column: an enterprise's credit balance after
# several payments, a fine of 3 × the principal owed, an item's principal (unit + individual).
# Below 100亿元, it is beyond any amount of one county's enterprise.
MONEY_MAX = Decimal("9999999999.99")
# Business dates: social insurance arrears begin in the 1990s; nothing is planned past 2100.
EARLIEST = date(1990, 1, 1)
LATEST = date(2100, 12, 31)

# Beyond this many integer digits a number is out of every range here, and is refused before
# any arithmetic (quantize of 1e30 to fen exceeds the decimal context's 28 digits).
_MAX_INTEGER_DIGITS = 15

NUMBER_MESSAGES = {
    "invalid": "请填写数字。",
    "not_finite": "不是有效的数字（不能是 NaN 或无穷大）。",
    "max_places": "最多保留 %(places)s 位小数。",
    "max_value": "须小于或等于 %(limit)s。",
    "min_value": "须大于或等于 %(limit)s。",
}
MONEY_MESSAGES = {
    "invalid": "请填写金额数字，例如 1234.50。",
    "not_finite": "不是有效的金额（不能是 NaN 或无穷大）。",
    "max_places": "金额最多保留两位小数（分）。",
    "max_value": "金额不能超过 %(limit)s 元。",
    "min_value": "金额不能小于 %(limit)s 元。",
}


def money_messages(min_value) -> dict:
    """The money messages, with the lower limit said as people say it."""
    if min_value == FEN:
        return {**MONEY_MESSAGES, "min_value": "金额须大于 0。"}
    if min_value == 0:
        return {**MONEY_MESSAGES, "min_value": "金额不能为负数。"}
    return dict(MONEY_MESSAGES)


def parse_decimal(
    value,
    *,
    places: int,
    max_value: Decimal,
    min_value: Decimal | None = None,
    messages: dict | None = None,
    money: bool = False,
) -> Decimal:
    """'1,234.5', '１２３４.５' → Decimal('1234.50') with `places` decimals; ValidationError
    with a Chinese reason for anything else. `max_value` is required: no number here is
    without a limit. `money` says limits in yuan (1,000.00) in the messages."""
    messages = {**NUMBER_MESSAGES, **(messages or {})}
    max_value = Decimal(max_value)
    min_value = None if min_value is None else Decimal(min_value)
    text = normalize_number_text("" if value is None else value).removesuffix("元")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(messages["invalid"], code="invalid") from None
    if not amount.is_finite():
        raise ValidationError(messages["not_finite"], code="not_finite")

    def out_of_range(key: str, limit: Decimal) -> ValidationError:
        text = format_yuan(limit) if money else f"{limit.normalize():f}"
        return ValidationError(messages[key], code=key, params={"limit": text})

    if amount and amount.adjusted() >= _MAX_INTEGER_DIGITS:  # 1e30: refused before arithmetic
        if amount < 0 and min_value is not None:
            raise out_of_range("min_value", min_value)
        raise out_of_range("max_value", max_value)
    step = Decimal(1).scaleb(-places)
    if amount != amount.quantize(step):
        raise ValidationError(messages["max_places"], code="max_places", params={"places": places})
    if amount > max_value:
        raise out_of_range("max_value", max_value)
    if min_value is not None and amount < min_value:
        raise out_of_range("min_value", min_value)
    amount = amount.quantize(step)
    return abs(amount) if amount == 0 else amount  # no -0.00


def parse_money(value, *, min_value: Decimal | None = FEN, max_value: Decimal = MONEY_MAX):
    """An amount in yuan of at most MONEY_MAX; more than 0 unless `min_value` says so."""
    return parse_decimal(
        value,
        places=2,
        min_value=min_value,
        max_value=max_value,
        messages=money_messages(min_value),
        money=True,
    )


def check_date(day: date, *, earliest: date = EARLIEST, latest: date = LATEST) -> date:
    if not earliest <= day <= latest:
        raise ValidationError(
            "日期须在 %(earliest)s 至 %(latest)s 之间。",
            code="date_range",
            params={"earliest": earliest.isoformat(), "latest": latest.isoformat()},
        )
    return day


def parse_business_date(text, *, earliest: date = EARLIEST, latest: date = LATEST) -> date:
    """'2026-11-22' → date, within [earliest, latest]; ValidationError otherwise."""
    try:
        day = date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValidationError("日期格式不对，应为 2026-11-22。", code="invalid") from None
    return check_date(day, earliest=earliest, latest=latest)


class DecimalNumberField(forms.DecimalField):
    """A decimal with `places` decimals between `min_value` and `max_value`, read by
    `parse_decimal`: NaN, Infinity, 1e30 and extra decimals are form errors, never a 500.
    A form may replace any of NUMBER_MESSAGES' texts through `error_messages`."""

    default_error_messages = NUMBER_MESSAGES
    money = False

    def __init__(self, *, places: int, max_value, min_value=None, **kwargs):
        max_value = Decimal(max_value)
        min_value = None if min_value is None else Decimal(min_value)
        super().__init__(
            max_value=max_value,
            min_value=min_value,
            max_digits=len(str(int(max_value))) + places,
            decimal_places=places,
            **kwargs,
        )
        self.places = places

    def to_python(self, value):
        if value in self.empty_values or not str(value).strip():
            return None
        return parse_decimal(
            value,
            places=self.places,
            min_value=self.min_value,
            max_value=self.max_value,
            messages=self.error_messages,
            money=self.money,
        )


class MoneyField(DecimalNumberField):
    """An amount in yuan: 2 decimals, at most MONEY_MAX (well inside the numeric(14, 2) columns),
    and more than 0 unless `min_value` says otherwise (`min_value=0` for amounts that may be
    nil)."""

    money = True

    def __init__(self, *, min_value=FEN, max_value=MONEY_MAX, error_messages=None, **kwargs):
        super().__init__(
            places=2,
            min_value=min_value,
            max_value=max_value,
            error_messages={**money_messages(min_value), **(error_messages or {})},
            **kwargs,
        )


class BusinessDateField(forms.DateField):
    """A date between `earliest` and `latest` (by default 1990-01-01 to 2100-12-31): a date in
    year 1 or 9999 is a form error, not an overflow in the fee engine or a 1000-year row."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": "请按 2026-11-22 的格式填写日期。"}

    def __init__(self, *, earliest: date = EARLIEST, latest: date = LATEST, **kwargs):
        self.earliest, self.latest = earliest, latest
        super().__init__(**kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        if day is None:
            return None
        return check_date(day, earliest=self.earliest, latest=self.latest)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.DateInput):
            attrs.setdefault("min", self.earliest.isoformat())
            attrs.setdefault("max", self.latest.isoformat())
        return attrs
