"""core.widgets.PlainSelect draws the same <select> as Django's template-rendered forms.Select,
for every kind of choice the filter forms use — compared as HTML (attribute order aside)."""

from django import forms
from django.test.html import parse_html

from core.forms import FilterForm
from core.widgets import PlainSelect
from enterprises.forms import EnterpriseSearchForm
from enterprises.models import Region, TaskGroup

HOSTILE = '<script>alert("x")</script> & 甲乙'


def _same(widget_kwargs, name, value, attrs=None):
    ours = PlainSelect(**widget_kwargs).render(name, value, attrs)
    djangos = forms.Select(**widget_kwargs).render(name, value, attrs)
    assert parse_html(ours) == parse_html(djangos), f"{ours}\n!=\n{djangos}"
    return ours


def test_plain_choices_with_one_selected_and_escaped_labels():
    choices = [("", "全部"), ("a", "甲"), ("b", HOSTILE), ("c&d", '引号"和&')]
    html = _same({"choices": choices}, "status", "b", {"id": "id_status", "class": "x"})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'value="b" selected' in html


def test_groups_booleans_and_a_value_not_among_the_choices():
    choices = [("", "—"), ("乡镇", [("1", "一镇"), ("2", "二镇")]), ("其他", [("9", "九")])]
    _same({"choices": choices}, "region", "2", {"required": True, "disabled": False})
    _same({"choices": choices}, "region", "no-such", {"data-x": 0})
    _same({"choices": []}, "empty", None)


def test_model_choices_as_the_filter_forms_have_them(county):
    regions = Region.objects.all()
    form = EnterpriseSearchForm(
        {"region": county.region_a.pk, "status": "bankrupt"},
        regions=regions,
        task_groups=TaskGroup.objects.all(),
    )
    assert form.is_valid()
    for name in ("region", "task_group", "status", "industry"):
        bound = form[name]
        assert isinstance(bound.field.widget, PlainSelect)
        templated = forms.Select(attrs=bound.field.widget.attrs, choices=bound.field.choices)
        attrs = {"id": bound.auto_id}
        assert parse_html(str(bound)) == parse_html(
            templated.render(bound.html_name, bound.value(), attrs)
        )
    assert f'value="{county.region_a.pk}" selected' in str(form["region"])


def test_only_plain_selects_are_replaced():
    class Filters(FilterForm):
        one = forms.ChoiceField(choices=[("a", "甲")], required=False)
        many = forms.MultipleChoiceField(choices=[("a", "甲")], required=False)
        text = forms.CharField(required=False)

    form = Filters()
    assert type(form.fields["one"].widget) is PlainSelect
    assert type(form.fields["many"].widget) is forms.SelectMultiple
    assert form.fields["one"].widget.attrs["class"] == "form-select form-select-sm"
    assert form.fields["text"].widget.attrs["class"] == "form-control form-control-sm"


def test_a_filters_model_select_is_read_with_one_plain_query(county):
    # Django reads a model select's options through a server-side cursor: DECLARE, FETCH and
    # CLOSE, three round trips for a handful of townships on every page of a list.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    form = EnterpriseSearchForm(
        {}, regions=Region.objects.order_by("code"), task_groups=TaskGroup.objects.all()
    )
    with CaptureQueriesContext(connection) as queries:
        html = str(form["region"])
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]
    for region in (county.region_a, county.region_b):
        assert f'<option value="{region.pk}">{region.name}</option>' in html
    chosen = EnterpriseSearchForm(
        {"region": county.region_b.pk},
        regions=Region.objects.all(),
        task_groups=TaskGroup.objects.all(),
    )
    assert chosen.is_valid() and chosen.cleaned_data["region"] == county.region_b
