"""清欠目标: the task force sets each township's or group's amount to recover in a year."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from core.dates import today
from core.fields import parse_money
from core.permissions import capability_required
from enterprises.models import Region, TaskGroup
from reports.models import Target
from reports.services import targets_set


def _year(request) -> int:
    text = request.GET.get("year") or request.POST.get("year") or ""
    year = int(text) if text.isdigit() else today().year
    return year if 2000 <= year <= 2100 else today().year


def _amounts(post, prefix: str, owners) -> tuple[dict, dict]:
    amounts, errors = {}, {}
    for owner in owners:
        text = post.get(f"{prefix}-{owner.pk}", "").strip()
        try:
            amounts[owner.pk] = parse_money(text, min_value=0) if text else None
        except ValidationError as error:
            errors[f"{prefix}-{owner.pk}"] = f"{owner.name}：{error.messages[0]}"
    return amounts, errors


@capability_required("manage_targets")
def targets(request):
    year = _year(request)
    groups = list(TaskGroup.objects.all())
    regions = list(Region.objects.select_related("task_group").order_by("task_group_id", "pk"))
    typed, errors = {}, {}
    if request.method == "POST":
        typed = request.POST
        group_amounts, group_errors = _amounts(request.POST, "group", groups)
        region_amounts, region_errors = _amounts(request.POST, "region", regions)
        errors = group_errors | region_errors
        if not errors:
            targets_set(
                actor=request.user,
                year=year,
                regions=region_amounts,
                groups=group_amounts,
                request=request,
            )
            messages.success(request, f"已保存 {year} 年清欠目标。")
            return redirect(f"{request.path}?year={year}")
    saved = Target.objects.filter(year=year)
    current = {f"group-{t.task_group_id}": t.amount for t in saved if t.task_group_id}
    current |= {f"region-{t.region_id}": t.amount for t in saved if t.region_id}
    rows = [
        (
            f"group-{g.pk}",
            g.name,
            "工作组",
            typed.get(f"group-{g.pk}", current.get(f"group-{g.pk}", "")),
        )
        for g in groups
    ] + [
        (
            f"region-{r.pk}",
            r.name,
            f"乡镇（{r.task_group.name if r.task_group else '未分组'}）",
            typed.get(f"region-{r.pk}", current.get(f"region-{r.pk}", "")),
        )
        for r in regions
    ]
    return render(
        request,
        "reports/targets.html",
        {
            "year": year,
            "rows": rows,
            "errors": errors,
            "years": range(today().year - 2, today().year + 2),
        },
        status=400 if errors else 200,
    )
