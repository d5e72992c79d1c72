"""Making a report and keeping it: every report file is built in the background
(reports.tasks), stored as a ReportArchive with its SHA-256, and can be downloaded again later
byte for byte — the download checks the file against its checksum first. Making and
downloading are both in the audit log (AuditAction.EXPORT).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from core.audit import AuditAction, AuditResult, log_action
from core.calendar import add_months
from core.dates import today
from reports.bulletin import (
    QUARTERS,
    build_bulletin,
    bulletin_file_name,
    quarter_bounds,
    quarter_of,
)
from reports.exposure_list import build_exposure_pdf, build_exposure_xlsx, exposure_file_name
from reports.models import ReportArchive, ReportKind
from reports.monthly import build_monthly, month_period, monthly_file_name, taken_now
from reports.ten_day import (
    PARTS,
    build_ten_day,
    part_of,
    ten_day_bounds,
    ten_day_file_name,
)

JOB_KIND = "report"
GENERATE_TASK = "reports.tasks.generate_report"
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class ArchiveDamaged(Exception):
    """The stored file no longer matches the checksum taken when it was issued."""


@dataclass(frozen=True)
class ReportFile:
    file_name: str
    content: bytes


def report_period(kind: str, *, day: date, part: int = 1, end: date | None = None):
    """(first, last day) a report of `kind` covers: the month, ten days or quarter holding
    `day`, or `day`…`end` for the exposure list. A period that has not begun is refused."""
    if kind == ReportKind.MONTHLY:
        period = month_period(day, taken_now())
        first, last = period.start, period.end
    elif kind == ReportKind.TEN_DAY:
        first, last = ten_day_bounds(day, part)
    elif kind == ReportKind.BULLETIN:
        first, last = quarter_bounds(day.year, quarter_of(day))
    elif kind == ReportKind.EXPOSURE_LIST:
        first, last = day, end or today()
        if last < first:
            raise ValidationError("截止日不能早于起始日。")
    else:
        raise ValidationError("没有这种报表。")
    if first > today():
        raise ValidationError("该期间尚未开始，不能生成报表。")
    return first, last


def report_files(
    *, kind: str, period_start: date, period_end: date, progress: Callable | None = None
) -> list[ReportFile]:
    """The file(s) of a report, built now."""
    taken_at = taken_now()
    if kind == ReportKind.MONTHLY:
        content = build_monthly(month=period_start, taken_at=taken_at, progress=progress)
        return [ReportFile(monthly_file_name(period_start), content)]
    if kind == ReportKind.TEN_DAY:
        content = build_ten_day(
            month=period_start, part=part_of(period_start), taken_at=taken_at, progress=progress
        )
        return [ReportFile(ten_day_file_name(period_start), content)]
    if kind == ReportKind.BULLETIN:
        content = build_bulletin(
            year=period_start.year,
            quarter=quarter_of(period_start),
            taken_at=taken_at,
            progress=progress,
        )
        return [ReportFile(bulletin_file_name(period_start), content)]
    if kind == ReportKind.EXPOSURE_LIST:
        span = {"start": period_start, "end": period_end, "taken_at": taken_at}
        xlsx = build_exposure_xlsx(**span)
        if progress:
            progress(30)
        pdf = build_exposure_pdf(**span)
        return [
            ReportFile(exposure_file_name(period_start, period_end, "xlsx"), xlsx),
            ReportFile(exposure_file_name(period_start, period_end, "pdf"), pdf),
        ]
    raise ValueError(kind)


@transaction.atomic
def archive_store(
    *, kind: str, period_start: date, period_end: date, report: ReportFile, created_by=None
) -> ReportArchive:
    """Keep a report file with its checksum, and say who made it in the audit log."""
    digest = hashlib.sha256(report.content).hexdigest()
    extension = report.file_name.rpartition(".")[2]
    archive = ReportArchive(
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        file_name=report.file_name,
        sha256=digest,
        size=len(report.content),
        created_by=created_by,
    )
    # Stored under a plain name; the Chinese name is the one the download gives.
    stored = f"{kind}_{period_start:%Y%m%d}-{period_end:%Y%m%d}_{digest[:12]}.{extension}"
    archive.file.save(stored, ContentFile(report.content), save=False)
    archive.save()
    log_action(
        actor=created_by,
        action=AuditAction.EXPORT,
        obj=archive,
        detail={
            "report": ReportKind(kind).label,
            "step": "generate",
            "file": report.file_name,
            "period": f"{period_start}/{period_end}",
            "sha256": digest,
            "size": len(report.content),
        },
    )
    return archive


def report_generate(
    *,
    kind: str,
    period_start: date,
    period_end: date,
    created_by=None,
    progress: Callable | None = None,
) -> list[ReportArchive]:
    files = report_files(
        kind=kind, period_start=period_start, period_end=period_end, progress=progress
    )
    return [
        archive_store(
            kind=kind,
            period_start=period_start,
            period_end=period_end,
            report=report,
            created_by=created_by,
        )
        for report in files
    ]


def archive_read(archive: ReportArchive) -> bytes:
    """The archived file's bytes, after checking them against the checksum of issue."""
    with archive.file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != archive.sha256:
        raise ArchiveDamaged(archive.file_name)
    return content


def archive_download(*, archive: ReportArchive, actor, request=None) -> bytes:
    """The file for a user, checked and audited; a damaged file is refused, and that too is
    in the log."""
    detail = {
        "report": archive.get_kind_display(),
        "step": "download",
        "file": archive.file_name,
        "sha256": archive.sha256,
    }
    try:
        content = archive_read(archive)
    except (ArchiveDamaged, OSError):
        log_action(
            actor=actor,
            action=AuditAction.EXPORT,
            obj=archive,
            request=request,
            result=AuditResult.FAILURE,
            detail={**detail, "error": "文件缺失或与存档校验值不符"},
        )
        raise ArchiveDamaged(archive.file_name) from None
    log_action(actor=actor, action=AuditAction.EXPORT, obj=archive, request=request, detail=detail)
    return content


def period_label(kind: str, start: date, end: date) -> str:
    """How a report's period is named: 2026年11月, 2026年11月中旬, 2026年第三季度, or the days."""
    if kind == ReportKind.MONTHLY:
        return f"{start.year}年{start.month}月"
    if kind == ReportKind.TEN_DAY:
        return f"{start.year}年{start.month}月{PARTS[part_of(start)]}"
    if kind == ReportKind.BULLETIN:
        return f"{start.year}年{QUARTERS[quarter_of(start)]}"
    return f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"


def content_type(archive: ReportArchive) -> str:
    return CONTENT_TYPES.get(archive.file_name.rpartition(".")[2], "application/octet-stream")


def monthly_archive_scheduled(*, on: date) -> list[ReportArchive]:
    """Beat, on the 1st: last month's report, once (a second run finds it made)."""
    month = add_months(on.replace(day=1), -1)
    end = on.replace(day=1) - timedelta(days=1)
    made = ReportArchive.objects.filter(
        kind=ReportKind.MONTHLY, period_start=month, period_end=end, created_by__isnull=True
    )
    if made.exists():
        return []
    return report_generate(kind=ReportKind.MONTHLY, period_start=month, period_end=end)
