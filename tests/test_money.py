from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from core.money import format_wanyuan, format_yuan, round_fen


@pytest.mark.parametrize(
    "value, expected",
    [
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("2.675", "2.68"),
        ("-0.005", "-0.01"),
        ("22.265", "22.27"),
    ],
)
def test_round_half_up_to_the_fen(value, expected):
    assert round_fen(Decimal(value)) == Decimal(expected)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        round_fen(0.1)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=6))
def test_rounding_moves_at_most_half_a_fen_and_lands_on_a_fen(value):
    rounded = round_fen(value)
    assert abs(rounded - value) <= Decimal("0.005")
    assert rounded == rounded.quantize(Decimal("0.01"))


def test_grouping_of_yuan_and_wanyuan():
    assert format_yuan(Decimal("12345678.9")) == "12,345,678.90"
    assert format_yuan(Decimal("0")) == "0.00"
    assert format_wanyuan(Decimal("12345678.9")) == "1,234.57"


def test_template_filters():
    rendered = Template(
        "{% load qq %}{{ a|yuan }} 元 / {{ a|wanyuan }} 万元 / [{{ b|yuan }}]"
    ).render(Context({"a": Decimal("1234567.891"), "b": None}))
    assert rendered == "1,234,567.89 元 / 123.46 万元 / []"


@pytest.mark.parametrize(
    "value, words",
    [
        ("123456.78", "壹拾贰万叁仟肆佰伍拾陆元柒角捌分"),
        ("100", "壹佰元整"),
        ("1005", "壹仟零伍元整"),
        ("100005", "壹拾万零伍元整"),
        ("1000000", "壹佰万元整"),
        ("10010", "壹万零壹拾元整"),
        ("100010000", "壹亿零壹万元整"),
        ("100000000", "壹亿元整"),
        ("20001000", "贰仟万壹仟元整"),
        ("12.05", "壹拾贰元零伍分"),
        # 整 closes an amount without 分, after 元 or after 角; never after 分.
        ("12.50", "壹拾贰元伍角整"),
        ("10.5", "壹拾元伍角整"),
        ("100.10", "壹佰元壹角整"),
        ("0.05", "伍分"),
        ("0.5", "伍角整"),
        ("0.55", "伍角伍分"),
        ("0", "零元整"),
        ("22.27", "贰拾贰元贰角柒分"),
        ("1000.01", "壹仟元零壹分"),
        ("-3.10", "负叁元壹角整"),
    ],
)
def test_amount_in_capitals(value, words):
    from core.money import amount_in_capitals

    assert amount_in_capitals(Decimal(value)) == words


@given(st.integers(min_value=1, max_value=10**14))
def test_capitals_end_with_zheng_exactly_when_there_are_no_fen(fen_total):
    from core.money import amount_in_capitals

    words = amount_in_capitals(Decimal(fen_total) / 100)  # 0.01 … 1,000,000,000,000.00
    assert words.endswith("整") == (fen_total % 10 == 0)
    assert words.endswith("分") == (fen_total % 10 != 0)
    assert words.count("整") <= 1
