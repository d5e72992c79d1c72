from django.core.paginator import Paginator

PAGE_SIZE = 50


def paginate(request, queryset, per_page: int = PAGE_SIZE, *, count: int | None = None):
    """The requested page; a page number out of range shows the last page, never an error.
    `count`: the number of rows when the caller has it already, to spare a second COUNT."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.__dict__["count"] = count  # Paginator.count is a cached_property
    return paginator.get_page(request.GET.get("page"))
