"""Townships and task groups: configuration kept by the system administrator."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from core.permissions import capability_required
from enterprises import services
from enterprises.forms import RegionForm, TaskGroupForm
from enterprises.models import Region, TaskGroup


@capability_required("manage_settings")
def organisation(request):
    return render(
        request,
        "enterprises/organisation.html",
        {
            "regions": Region.objects.select_related("task_group"),
            "groups": TaskGroup.objects.select_related("leader").prefetch_related(
                "members", "regions"
            ),
        },
    )


@capability_required("manage_settings")
def region_edit(request, region_id=None):
    region = get_object_or_404(Region, pk=region_id) if region_id else None
    form = RegionForm(request.POST or None, instance=region)
    if request.method == "POST" and form.is_valid():
        services.region_save(
            actor=request.user, region=region, data=form.cleaned_data, request=request
        )
        messages.success(request, "乡镇已保存。")
        return redirect("enterprises:organisation")
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": f"修改乡镇：{region}" if region else "新增乡镇",
            "back_url": "enterprises:organisation",
        },
    )


@capability_required("manage_settings")
def task_group_edit(request, group_id=None):
    group = get_object_or_404(TaskGroup, pk=group_id) if group_id else None
    initial = None
    if group:
        initial = {
            "name": group.name,
            "leader": group.leader,
            "members": group.members.all(),
            "regions": group.regions.all(),
        }
    form = TaskGroupForm(request.POST or None, initial=initial, group=group)
    if request.method == "POST" and form.is_valid():
        services.task_group_save(
            actor=request.user, group=group, request=request, **form.cleaned_data
        )
        messages.success(request, "工作组已保存。")
        return redirect("enterprises:organisation")
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": f"修改工作组：{group}" if group else "新增工作组",
            "back_url": "enterprises:organisation",
        },
    )
