"""The rows of the three long lists (arrears overview, register, case list) are written in Python
for speed (arrears_rows, enterprise_tags, casework). They must be the HTML the templates they
replace gave, for every kind of row: these tests keep those templates and compare, parsed.

The objects are built in memory with the values that change a row: a name that needs
escaping, a township without a task group, the 百万/千万 badges, missing dates and counts."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.urls import NoReverseMatch, reverse

from arrears.templatetags.arrears_rows import overview_rows
from core.links import id_url
from core.models import User
from enforcement.models import Case
from enforcement.templatetags.casework import case_rows
from enterprises.models import Enterprise, Region, TaskGroup
from enterprises.templatetags.enterprise_tags import register_rows
from notices.models import Document

OVERVIEW_ROW = """{% load enterprise_tags qq %}{% for e in page %}
    <tr>
      <td><a href="{% url 'arrears:enterprise' e.pk %}">{{ e.name }}</a>
        {% if e.principal_outstanding >= 10000000 %}<span class="badge text-bg-danger" title="报部">千万元以上</span>{% elif e.principal_outstanding >= 1000000 %}<span class="badge text-bg-warning" title="报省">百万元以上</span>{% endif %}</td>
      <td>{{ e.region.name }}</td>
      <td>{{ e.region.task_group.name|default:"—" }}</td>
      <td>{{ e|status_badge }}</td>
      <td class="num">{{ e.principal_outstanding|yuan }}</td>
      <td class="num">{{ e.fee_outstanding|yuan }}</td>
      <td>{{ e.oldest_unpaid|date:"Y年n月"|default:"—" }}</td>
    </tr>
    {% endfor %}"""

REGISTER_ROW = """{% load enterprise_tags %}{% for e in page %}
    <tr>
      <td class="code small">{{ e.credit_code }}</td>
      <td><a href="{% url 'enterprises:detail' e.pk %}">{{ e.name }}</a></td>
      <td>{{ e.region.name }}</td>
      <td>{{ e.region.task_group.name|default:"—" }}</td>
      <td class="small">{{ e.get_industry_display|default:"—" }}</td>
      <td>{{ e|status_badge }}</td>
      <td>{{ e.legal_representative|default:"—" }}</td>
      <td class="num">{{ e.headcount|default_if_none:"—" }}</td>
    </tr>
    {% endfor %}"""

CASE_ROW = """{% load qq %}{% for c in page %}
    <tr>{% if selectable %}<td><input type="checkbox" class="form-check-input" name="case" value="{{ c.pk }}" aria-label="选择 {{ c.enterprise.name }}"></td>{% endif %}<td><a href="{% url 'enforcement:detail' c.pk %}">{{ c.enterprise.name }}</a><div class="small text-muted">{{ c.number_text }}</div></td><td>{{ c.enterprise.region.name }}</td>
      <td>{{ c.enterprise.get_ability_display|default:"—" }}</td><td><span class="badge text-bg-primary">{{ c.get_stage_display }}</span></td>
      <td class="small">{{ c.current_document.number_text|default:"—" }}</td>
      <td>{{ c.current_document.deadline|date:"Y-m-d"|default:"—" }}</td><td>{{ c.assigned_to }}</td><td class="text-end">{{ c.principal_at_opening|yuan }}</td><td>{{ c.opened_at|date:"Y-m-d" }}</td></tr>
    {% endfor %}"""


def _template(source: str, **context) -> str:
    return Template(source).render(Context(context))


def _enterprises() -> list[Enterprise]:
    grouped = Region(pk=1, name="龙泉镇", task_group=TaskGroup(pk=1, name="第一工作组"))
    alone = Region(pk=2, name="百尺镇", task_group=None)
    rows = [
        # (name, region, status, principal, fee, oldest, industry, legal rep, headcount)
        (
            '壶关县"鑫源"<机械>&制造',
            grouped,
            "normal",
            "999999.99",
            "0.01",
            date(2025, 3, 1),
            "C",
            "张三",
            12,
        ),
        ("恒达建材", alone, "bankrupt", "1000000.00", "12345.678", None, "", "", None),
        ("晋庄煤业", grouped, "missing", "10000000.00", "0", date(2019, 12, 1), "B", "李<四>", 0),
        ("平安物流", alone, "suspended", "0.00", "5.5", date(2026, 1, 1), "G", "王五", 3000),
    ]
    enterprises = []
    for n, (name, region, status, principal, fee, oldest, industry, rep, heads) in enumerate(rows):
        enterprise = Enterprise(
            pk=100 + n,
            credit_code=f"91140527MA0K{n:06d}",
            name=name,
            region=region,
            status=status,
            industry=industry,
            legal_representative=rep,
            headcount=heads,
        )
        enterprise.principal_outstanding = Decimal(principal)
        enterprise.fee_outstanding = Decimal(fee)
        enterprise.oldest_unpaid = oldest
        enterprises.append(enterprise)
    return enterprises


def _cases() -> list[Case]:
    first, second = _enterprises()[:2]
    first.ability, second.ability = "able", ""
    worker = User(pk=7, username="jingban", full_name="赵<经办>")
    notice = Document(pk=5, number_text="壶社保催〔2026〕3号", deadline=date(2026, 12, 11))
    return [
        Case(
            pk=1,
            enterprise=first,
            stage="notice",
            number_text="壶清欠〔2026〕1号",
            current_document=notice,
            assigned_to=worker,
            principal_at_opening=Decimal("12345.675"),
            # 07:30 in Shanghai on 2 December: the day shown, not UTC's 1 December.
            opened_at=datetime(2026, 12, 1, 23, 30, tzinfo=UTC),
        ),
        Case(
            pk=2,
            enterprise=second,
            stage="tracking",
            number_text="壶清欠〔2026〕2号",
            current_document=None,
            assigned_to=worker,
            principal_at_opening=Decimal("0"),
            opened_at=datetime(2026, 11, 30, 2, 0, tzinfo=UTC),
        ),
    ]


def _same_html(python: str, template: str) -> None:
    assert parse_html(python) == parse_html(template)


def test_overview_rows_are_the_template_rows():
    page = _enterprises()
    rows = overview_rows(page)
    _same_html(rows, _template(OVERVIEW_ROW, page=page))
    assert "千万元以上" in rows and "百万元以上" in rows  # the cases the rows must cover
    assert "&lt;机械&gt;&amp;制造" in rows and "<机械>" not in rows
    assert "2025年3月" in rows and "12,345.68" in rows  # a fee rounds half-up to the fen


def test_register_rows_are_the_template_rows():
    page = _enterprises()
    rows = register_rows(page)
    _same_html(rows, _template(REGISTER_ROW, page=page))
    assert "李&lt;四&gt;" in rows and "制造业" in rows


@pytest.mark.parametrize("selectable", [True, False])
def test_case_rows_are_the_template_rows(selectable):
    page = _cases()
    rows = case_rows(page, selectable)
    _same_html(rows, _template(CASE_ROW, page=page, selectable=selectable))
    assert ('name="case"' in rows) is selectable
    assert "2026-12-02" in rows and "12,345.68" in rows and "2026-12-11" in rows


def test_id_url_is_reverse_for_every_id():
    for name in ("arrears:enterprise", "enterprises:detail", "enforcement:detail"):
        url = id_url(name)
        for pk in (1, 42, 987_654_321, 2**62):
            assert url(pk) == reverse(name, args=[pk])


def test_id_url_refuses_a_pattern_without_one_id():
    with pytest.raises(NoReverseMatch):
        id_url("arrears:overview")
