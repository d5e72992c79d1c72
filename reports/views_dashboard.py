"""The leaders' dashboards: the county for the task force, a group for its leader."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from core.dates import today
from core.permissions import capability_required
from core.roles import has_capability
from enterprises.models import TaskGroup
from reports import dashboard, selectors


def _scope(request, groups: list[TaskGroup]) -> selectors.Scope:
    """The task force sees the county or any group it picks; a group leader the group he
    leads (the first, or the one picked among his). `groups`: those the page offers to pick
    (every group for the task force, his own for a group leader), read once for both."""
    group_id = request.GET.get("group", "")
    if has_capability(request.user, "view_all_regions"):
        if group_id.isdigit():
            return selectors.group_scope(get_object_or_404(TaskGroup, pk=int(group_id)))
        return selectors.county_scope()
    led = [g for g in groups if g.pk == int(group_id)] if group_id.isdigit() else groups
    if not led:
        raise Http404("没有您负责的工作组。")
    return selectors.group_scope(led[0])


@capability_required("issue_documents")
def mine(request):
    """The caseworker's own figures, shown on 今日待办."""
    return render(
        request, "reports/_mine.html", {"m": selectors.own_figures(request.user, day=today())}
    )


@capability_required("view_dashboard")
def home(request):
    groups = list(
        TaskGroup.objects.all()
        if has_capability(request.user, "view_all_regions")
        else TaskGroup.objects.filter(leader=request.user)
    )
    scope = _scope(request, groups)
    return render(
        request,
        "reports/dashboard.html",
        {
            "f": dashboard.figures(scope, day=today()),
            "groups": groups,
        },
    )
