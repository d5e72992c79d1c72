from django.core.paginator import Paginator

PAGE_SIZE = 50


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """The requested page; a page number out of range shows the last page, never an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
