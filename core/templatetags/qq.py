from django import template

from core.masking import mask_middle
from core.money import format_wanyuan, format_yuan, round_fen

register = template.Library()


@register.filter
def yuan(value):
    """12345678.9 → '12,345,678.90'; empty stays empty.

    The one way a page shows money: more than two places (a late-fee intermediate such as
    11630.369520) round half-up to the fen by core.money.round_fen; a float is refused
    (TypeError), it would have carried binary artefacts. Sums come from Python as Decimal,
    never from the `add` filter, which turns decimals into integers."""
    if value is None or value == "":
        return ""
    return format_yuan(value)


@register.filter
def wanyuan(value):
    if value is None or value == "":
        return ""
    return format_wanyuan(value)


@register.filter
def masked(value):
    return mask_middle(value or "")


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination and sorting)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def percent_rate(value):
    """A daily rate as a percentage: 0.0005 → '0.05%'."""
    if value is None or value == "":
        return ""
    return f"{(value * 100).normalize():f}%"


@register.filter
def months_upto(value):
    """1 … value, for a select of instalment counts."""
    return range(1, int(value) + 1)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key)


@register.filter
def share(value):
    """A ratio as a percentage with two places: 0.91234 → '91.23%'; none stays '—'."""
    if value is None or value == "":
        return "—"
    return f"{round_fen(value * 100)}%"
