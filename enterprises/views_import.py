"""Upload → preview → confirm. The upload is kept on disk under a token bound to the session,
and is checked again on confirm, so a preview can never write what it did not show."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from core.excel import write_xlsx
from core.permissions import capability_required
from core.roles import has_capability
from enterprises.forms import ImportUploadForm
from enterprises.importers import TEMPLATE_HEADERS, parse_enterprise_file
from enterprises.selectors import regions_visible_to
from enterprises.services import enterprises_import

_SESSION_KEY = "enterprise_imports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _allowed_region_ids(user):
    if has_capability(user, "view_all_regions"):
        return None
    return set(regions_visible_to(user).values_list("id", flat=True))


@capability_required("edit_enterprises")
def import_template(request):
    example = [
        [
            "91110000600037341L",
            "示例机械制造有限公司",
            "城关镇",
            "C 制造业",
            "有限责任公司",
            "张三",
            "0355-1234567",
            "城关镇建设路 1 号",
        ]
    ]
    response = HttpResponse(write_xlsx("企业", TEMPLATE_HEADERS, example), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename=enterprise-import-template.xlsx"
    return response


@capability_required("edit_enterprises")
def import_upload(request):
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
            parsed = parse_enterprise_file(
                path, allowed_region_ids=_allowed_region_ids(request.user)
            )
            if parsed.ok:
                request.session.setdefault(_SESSION_KEY, {})[token] = upload.name
                request.session.modified = True
                return redirect("enterprises:import_preview", token)
            path.unlink(missing_ok=True)
    return render(request, "enterprises/import_upload.html", {"form": form, "parsed": parsed})


@capability_required("edit_enterprises")
def import_preview(request, token):
    filename = request.session.get(_SESSION_KEY, {}).get(token)
    path = _upload_dir() / f"{token}.xlsx"
    if not filename or not path.exists():
        raise Http404("导入已完成或已过期，请重新上传。")
    parsed = parse_enterprise_file(path, allowed_region_ids=_allowed_region_ids(request.user))
    if request.method == "POST" and parsed.ok:
        summary = enterprises_import(
            actor=request.user, parsed=parsed, filename=filename, request=request
        )
        path.unlink(missing_ok=True)
        request.session[_SESSION_KEY].pop(token, None)
        request.session.modified = True
        messages.success(
            request,
            f"已导入 {summary['rows']} 行：新增 {summary['created']} 家，"
            f"更新 {summary['updated']} 家。",
        )
        return redirect("enterprises:list")
    return render(
        request,
        "enterprises/import_preview.html",
        {
            "parsed": parsed,
            "filename": filename,
            "token": token,
            "sample": parsed.rows[:20],
            "changes": list(parsed.changes.items())[:50],
        },
    )
