from django.core.paginator import Paginator

PAGE_SIZE = 50


def paginate(request, queryset, per_page: int = PAGE_SIZE, *, count: int | None = None):
    """The requested page; a page number out of range shows the last page, never an error.
    `count`: the number of rows when the caller has it already, to spare a second COUNT."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.__dict__["count"] = count  # Paginator.count is a cached_property
    return paginator.get_page(request.GET.get("page"))


def paginate_by_keys(request, queryset, per_page: int = PAGE_SIZE):
    """The requested page of `queryset`, found by its primary keys and then read in full.

    For a long list whose order an index holds (the register: township, then name): the
    database sorts a township's thousands of keys straight from the index instead of their
    whole rows, and reads the fifty rows of the page. The page's rows come in the queryset's
    order, as paginate() would give them."""
    page = paginate(request, queryset.values_list("pk", flat=True), per_page)
    page.object_list = list(queryset.filter(pk__in=list(page.object_list)))
    return page
