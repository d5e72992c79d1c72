"""The reports page: the archive of issued report files, forms to make each kind, the job page
that shows a report being made, and the download of an archived file. Thin: the building and
the archiving are in reports.archive; reports are made in the background (reports.tasks)."""

from datetime import date
from io import BytesIO

from django import forms
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.calendar import add_months
from core.dates import today
from core.jobs import job_create, progress_of
from core.models import Job, JobStatus
from core.pagination import paginate
from core.permissions import capability_required
from reports import archive as reports
from reports.models import ReportArchive, ReportKind

PART_CHOICES = [(1, "上旬"), (2, "中旬"), (3, "下旬")]
QUARTER_CHOICES = [(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")]


class GenerateForm(forms.Form):
    """One form for every kind; each kind's card posts the fields it needs."""

    kind = forms.ChoiceField(choices=ReportKind.choices)
    month = forms.DateField(required=False, input_formats=["%Y-%m"], label="月份")
    part = forms.TypedChoiceField(choices=PART_CHOICES, coerce=int, required=False, label="旬")
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label="年度")
    quarter = forms.TypedChoiceField(
        choices=QUARTER_CHOICES, coerce=int, required=False, label="季度"
    )
    start = forms.DateField(required=False, label="公布日期自")
    end = forms.DateField(required=False, label="至")

    NEEDS = {
        ReportKind.MONTHLY: ("month",),
        ReportKind.TEN_DAY: ("month", "part"),
        ReportKind.BULLETIN: ("year", "quarter"),
        ReportKind.EXPOSURE_LIST: ("start", "end"),
    }

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        missing = [name for name in self.NEEDS[kind] if data.get(name) in (None, "")]
        for name in missing:
            self.add_error(name, "请填写。")
        if missing:
            return data
        if kind == ReportKind.BULLETIN:
            day = date(data["year"], 3 * data["quarter"] - 2, 1)
        else:
            day = data.get("month") or data["start"]
        data["period"] = reports.report_period(
            kind, day=day, part=data.get("part") or 1, end=data.get("end")
        )
        return data


def _initial() -> dict:
    day = today()
    last_month = add_months(day.replace(day=1), -1)
    quarter = (day.month - 1) // 3  # the last finished quarter (0: last year's fourth)
    return {
        "month": f"{last_month:%Y-%m}",
        "this_month": f"{day:%Y-%m}",
        "part": min(3, (day.day - 1) // 10 + 1),
        "year": day.year if quarter else day.year - 1,
        "quarter": quarter or 4,
        "start": f"{day.year}-01-01",
        "end": day.isoformat(),
    }


def _errors(form) -> list[str]:
    return [
        f"{form.fields[name].label}：{error}" if name in form.fields and name != "kind" else error
        for name, errors in form.errors.items()
        for error in errors
    ]


def _index(request, form=None, kind_error=""):
    kind = request.GET.get("kind", "")
    archives = ReportArchive.objects.select_related("created_by")
    if kind in ReportKind.values:
        archives = archives.filter(kind=kind)
    page = paginate(request, archives)
    for archive in page:
        archive.period = reports.period_label(
            archive.kind, archive.period_start, archive.period_end
        )
    running = Job.objects.filter(
        kind=reports.JOB_KIND,
        created_by=request.user,
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
    )
    return render(
        request,
        "reports/reports_index.html",
        {
            "page": page,
            "kinds": ReportKind.choices,
            "kind": kind,
            "errors": _errors(form) if form else [],
            "kind_error": ReportKind(kind_error).label
            if kind_error in ReportKind.values
            else "报表",
            "initial": _initial(),
            "parts": PART_CHOICES,
            "quarters": QUARTER_CHOICES,
            "running": running,
        },
    )


@capability_required("view_reports")
def report_index(request):
    return _index(request)


@capability_required("view_reports")
@require_POST
def report_generate(request):
    form = GenerateForm(request.POST)
    if not form.is_valid():
        return _index(request, form=form, kind_error=request.POST.get("kind", ""))
    kind, (start, end) = form.cleaned_data["kind"], form.cleaned_data["period"]
    label = f"{ReportKind(kind).label} {reports.period_label(kind, start, end)}"
    job = job_create(
        kind=reports.JOB_KIND,
        task=reports.GENERATE_TASK,
        created_by=request.user,
        request=request,
        total=100,
        result={"kind": kind, "start": start.isoformat(), "end": end.isoformat(), "label": label},
    )
    return redirect("reports:job", job.pk)


@capability_required("view_reports")
def report_job(request, job_id):
    job = get_object_or_404(Job, pk=job_id, kind=reports.JOB_KIND, created_by=request.user)
    done, total = progress_of(job)
    archives = ReportArchive.objects.filter(pk__in=job.result.get("archives", [])).order_by("pk")
    template = "reports/reports_job_status.html" if request.htmx else "reports/reports_job.html"
    return render(
        request,
        template,
        {
            "job": job,
            "archives": archives,
            "percent": min(100, int(done * 100 / total)) if total else None,
        },
    )


@capability_required("view_reports")
def report_download(request, archive_id):
    archive = get_object_or_404(ReportArchive, pk=archive_id)
    try:
        content = reports.archive_download(archive=archive, actor=request.user, request=request)
    except reports.ArchiveDamaged:
        messages.error(
            request,
            f"{archive.file_name} 的存档文件缺失或与生成时的校验值不符，已拒绝下载。请联系系统管理员。",
        )
        return redirect("reports:index")
    return FileResponse(
        BytesIO(content),
        as_attachment=True,
        filename=archive.file_name,
        content_type=reports.content_type(archive),
    )
