"""core.pagination: a page read by its keys is the page the queryset gives, in its order."""

from django.test import RequestFactory

from core.pagination import paginate, paginate_by_keys
from enterprises.selectors import enterprise_search
from tests.factories import EnterpriseFactory


def test_pages_by_keys_are_the_querysets_pages_in_its_order(county, django_assert_num_queries):
    # Names that sort apart from their creation order, and two that are the same.
    for name in ("乙公司", "甲公司", "丙公司", "甲公司", "丁公司"):
        EnterpriseFactory(region=county.region_a, name=name)
    enterprises = enterprise_search(user=county.leader)
    for number in ("1", "2", "3", "4"):
        request = RequestFactory().get("/enterprises/", {"page": number})
        expected = paginate(request, enterprises, per_page=2)
        page = paginate_by_keys(request, enterprises, per_page=2)
        assert [e.pk for e in page] == [e.pk for e in expected]
        assert (page.number, page.paginator.count) == (expected.number, expected.paginator.count)
        with django_assert_num_queries(0):  # township and group came with the rows
            assert all(e.region.task_group.name for e in page)
