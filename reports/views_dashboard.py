"""The leaders' dashboards: the county for the task force, a group for its leader."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from core.dates import today
from core.permissions import capability_required
from core.roles import has_capability
from enterprises.models import TaskGroup
from reports import dashboard, selectors


def _scope(request) -> selectors.Scope:
    """The task force sees the county or any group it picks; a group leader the group he
    leads (the first, or the one picked among his)."""
    group_id = request.GET.get("group", "")
    if has_capability(request.user, "view_all_regions"):
        if group_id.isdigit():
            return selectors.group_scope(get_object_or_404(TaskGroup, pk=int(group_id)))
        return selectors.county_scope()
    led = TaskGroup.objects.filter(leader=request.user)
    if group_id.isdigit():
        led = led.filter(pk=int(group_id))
    group = led.first()
    if group is None:
        raise Http404("没有您负责的工作组。")
    return selectors.group_scope(group)


@capability_required("issue_documents")
def mine(request):
    """The caseworker's own figures, shown on 今日待办."""
    return render(
        request, "reports/_mine.html", {"m": selectors.own_figures(request.user, day=today())}
    )


@capability_required("view_dashboard")
def home(request):
    scope = _scope(request)
    groups = (
        TaskGroup.objects.all()
        if has_capability(request.user, "view_all_regions")
        else TaskGroup.objects.filter(leader=request.user)
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "f": dashboard.figures(scope, day=today()),
            "groups": groups,
            "growth_percent": settings.GROWTH_WARNING_PERCENT,
        },
    )
