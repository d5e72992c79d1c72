"""Audit leads, the two evidence imports behind classification and leads, and the casework
settings. Imports go upload → preview → confirm like the other importers: the file waits on disk
under a token bound to the session and is checked again on confirm."""

import uuid
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.excel import write_xlsx
from core.forms import FilterForm
from core.pagination import paginate
from core.permissions import capability_required
from core.roles import has_capability
from core.services import settings_update
from enforcement import leads, selectors
from enforcement.classification import evidence_import_and_reclassify
from enforcement.models import AuditLead, CaseworkSettings
from enforcement.selectors import casework_settings
from enforcement.views import _errors
from enterprises.evidence_import import COLUMNS as EVIDENCE_COLUMNS
from enterprises.evidence_import import parse_evidence_file
from enterprises.forms import ImportUploadForm
from enterprises.models import Region
from enterprises.selectors import regions_visible_to

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SESSION_KEY = "casework_imports"


@dataclass(frozen=True)
class ImportKind:
    title: str
    parse: object
    write: object  # (actor, parsed, filename, request) → summary with "rows"
    headers: list
    example: list
    done: str  # the message after writing, from the summary


KINDS = {
    "evidence": ImportKind(
        "经营证据（工资、税款、公积金、社保缴纳）",
        parse_evidence_file,
        evidence_import_and_reclassify,
        [c.header for c in EVIDENCE_COLUMNS],
        ["91140527MA0K3XXXXX", "2025-03", "发放工资", 86000, "开户银行"],
        "已导入 {rows} 行证据，{reclassified} 家企业已重新分类。",
    ),
    "tax": ImportKind(
        "个税与参保申报比对数据",
        leads.parse_tax_file,
        leads.tax_data_import,
        leads.TEMPLATE_HEADERS,
        ["91140527MA0K3XXXXX", "2026-05", 12, 60000, 8, 40000],
        "已导入 {rows} 行，现有待处理稽核线索 {leads} 条（涉及本次导入的企业）。",
    ),
}


def _kind(kind: str) -> ImportKind:
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _allowed_region_ids(user):
    if has_capability(user, "view_all_regions"):
        return None
    return set(regions_visible_to(user).values_list("id", flat=True))


@capability_required("manage_ledger")
def import_template(request, kind):
    spec = _kind(kind)
    response = HttpResponse(write_xlsx("数据", spec.headers, [spec.example]), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename={kind}-import-template.xlsx"
    return response


@capability_required("manage_ledger")
def import_upload(request, kind):
    spec = _kind(kind)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    parsed = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            form.add_error(
                "file", f"文件过大，上限为 {settings.IMPORT_MAX_FILE_BYTES // 2**20} MB。"
            )
        else:
            token = uuid.uuid4().hex
            path = _upload_dir() / f"{token}.xlsx"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            parsed = spec.parse(path, allowed_region_ids=_allowed_region_ids(request.user))
            if parsed.ok:
                request.session.setdefault(_SESSION_KEY, {})[token] = [kind, upload.name]
                request.session.modified = True
                return redirect("enforcement:import_preview", kind, token)
            path.unlink(missing_ok=True)
    return render(
        request,
        "enforcement/import_upload.html",
        {"form": form, "parsed": parsed, "spec": spec, "kind": kind},
    )


@capability_required("manage_ledger")
def import_preview(request, kind, token):
    spec = _kind(kind)
    stored = request.session.get(_SESSION_KEY, {}).get(token)
    path = _upload_dir() / f"{token}.xlsx"
    if not stored or stored[0] != kind or not path.exists():
        raise Http404("导入已完成或已过期，请重新上传。")
    filename = stored[1]
    parsed = spec.parse(path, allowed_region_ids=_allowed_region_ids(request.user))
    if request.method == "POST" and parsed.ok:
        summary = spec.write(actor=request.user, parsed=parsed, filename=filename, request=request)
        path.unlink(missing_ok=True)
        request.session[_SESSION_KEY].pop(token, None)
        request.session.modified = True
        messages.success(request, spec.done.format(**summary))
        return redirect("enforcement:leads" if kind == "tax" else "enforcement:list")
    return render(
        request,
        "enforcement/import_preview.html",
        {
            "parsed": parsed,
            "filename": filename,
            "spec": spec,
            "kind": kind,
            "sample": parsed.rows[:20],
        },
    )


class LeadFilterForm(FilterForm):
    rule = forms.ChoiceField(
        label="线索类型", required=False, choices=[("", "全部类型"), *leads.LeadRule.choices]
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *AuditLead.Status.choices],
        initial="open",
    )
    region = forms.ModelChoiceField(
        label="乡镇", queryset=Region.objects.none(), required=False, empty_label="全部乡镇"
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


@capability_required("view_enterprises")
def lead_list(request):
    data = request.GET.copy() if request.GET else {"status": "open"}
    form = LeadFilterForm(data, regions=regions_visible_to(request.user))
    f = form.cleaned_data if form.is_valid() else {}
    found = selectors.lead_search(
        user=request.user,
        rule=f.get("rule", ""),
        status=f.get("status", ""),
        region=f.get("region"),
    )
    return render(
        request,
        "enforcement/leads.html",
        {"form": form, "page": paginate(request, found), "labels": dict(leads.LeadRule.choices)},
    )


@capability_required("view_enterprises")
def lead_detail(request, lead_id):
    lead = get_object_or_404(selectors.leads_visible_to(request.user), pk=lead_id)
    return render(
        request,
        "enforcement/lead.html",
        {
            "lead": lead,
            "findings": leads.lead_findings(lead),
            "rules": leads.rule_labels(lead),
            "labels": dict(leads.LeadRule.choices),
            "settings": casework_settings(),
        },
    )


@capability_required("issue_documents")
@require_POST
def lead_decide(request, lead_id):
    lead = get_object_or_404(selectors.leads_visible_to(request.user), pk=lead_id)
    try:
        if request.POST.get("action") == "audit":
            case = leads.lead_open_audit(actor=request.user, lead=lead, request=request)
            messages.success(request, "已立案并出具稽核通知书，请送达后按期开展稽核。")
            return redirect("enforcement:detail", case.pk)
        leads.lead_dismiss(
            actor=request.user, lead=lead, reason=request.POST.get("reason", ""), request=request
        )
        messages.success(request, "已排除该线索。")
    except ValidationError as error:
        _errors(request, error)
    return redirect("enforcement:lead", lead.pk)


class CaseworkSettingsForm(forms.ModelForm):
    class Meta:
        model = CaseworkSettings
        fields = [
            "deferral_max_months",
            "unit_rate",
            "individual_rate",
            "review_interval_days",
            "court_reminder_days",
        ]


@capability_required("manage_settings")
def casework_settings_edit(request):
    form = CaseworkSettingsForm(request.POST or None, instance=casework_settings())
    if request.method == "POST" and form.is_valid():
        settings_update(
            actor=request.user, model=CaseworkSettings, data=form.cleaned_data, request=request
        )
        messages.success(request, "案件办理设置已保存；已生成的线索在下次导入时按新比例重算。")
        return redirect("enforcement:settings")
    return render(request, "core/form_page.html", {"form": form, "title": "案件办理设置"})
