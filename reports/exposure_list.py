"""曝光名单: the enterprises whose exposure was approved and published — a case moved to
联合惩戒 (Stage.DISCIPLINE, a high-risk step a leader approved) with its 曝光公告 issued and not
voided — as xlsx and as a PDF laid out after GB/T 9704 like the documents themselves.

Each line states what the notice published (its frozen content: name, code, legal
representative, the principal at publication), beside what the enterprise owes now, so that
those who have paid since can be taken off the public list.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery
from django.template.loader import render_to_string

from arrears.models import LedgerAccount
from core.dates import chinese_date
from core.money import format_yuan
from enforcement.models import Case, CaseEvent
from enforcement.stages import ClosingReason, Stage
from notices.models import Document, DocumentStatus, IssuingBody
from notices.services import DEFAULT_BODIES
from notices.types import Body, DocumentType
from reports.monthly import ZERO, county_name, taken_now
from reports.sheets import Column, ReportSheet, new_workbook, workbook_bytes

TITLE = "社会保险费欠费单位曝光名单"


@dataclass(frozen=True)
class Exposure:
    number: str
    published_on: date
    name: str
    credit_code: str
    legal_representative: str
    address: str
    principal_published: Decimal
    principal_now: Decimal
    status: str


def exposure_documents(start: date, end: date):
    """The issued 曝光公告 of start…end whose case moved to 联合惩戒."""
    published = CaseEvent.objects.filter(
        document=OuterRef("pk"),
        case__events__kind=CaseEvent.Kind.MOVED,
        case__events__to_stage=Stage.DISCIPLINE,
    )
    case_of = CaseEvent.objects.filter(document=OuterRef("pk")).values("case_id")[:1]
    return (
        Document.objects.filter(
            doc_type=DocumentType.EXPOSURE_NOTICE,
            status=DocumentStatus.ISSUED,
            issued_on__gte=start,
            issued_on__lte=end,
        )
        .filter(Exists(published))
        .annotate(case_id=Subquery(case_of))
        .order_by("issued_on", "number", "pk")
    )


def exposures(start: date, end: date) -> list[Exposure]:
    documents = list(exposure_documents(start, end))
    owed = dict(
        LedgerAccount.objects.filter(
            enterprise_id__in=[d.enterprise_id for d in documents]
        ).values_list("enterprise_id", "principal_outstanding")
    )
    cases = Case.objects.in_bulk([d.case_id for d in documents])
    lines = []
    for document in documents:
        content = document.content
        enterprise = content.get("enterprise", {})
        now = owed.get(document.enterprise_id, ZERO)
        case = cases.get(document.case_id)
        if case and case.closed_at:
            status = f"已结案（{ClosingReason(case.closing_reason).label}）"
        else:
            status = "仍欠缴" if now > 0 else "已缴清本金"
        lines.append(
            Exposure(
                number=document.number_text,
                published_on=document.issued_on,
                name=enterprise.get("name", ""),
                credit_code=enterprise.get("credit_code", ""),
                legal_representative=enterprise.get("legal_representative", ""),
                address=enterprise.get("address", ""),
                principal_published=Decimal(content.get("totals", {}).get("principal_raw", "0")),
                principal_now=now,
                status=status,
            )
        )
    return lines


def period_text(start: date, end: date) -> str:
    return f"{chinese_date(start)}至{chinese_date(end)}"


def exposure_file_name(start: date, end: date, extension: str) -> str:
    return f"曝光名单_{start:%Y-%m-%d}至{end:%Y-%m-%d}.{extension}"


def build_exposure_xlsx(*, start: date, end: date, taken_at: datetime | None = None) -> bytes:
    taken_at = taken_at or taken_now()
    workbook = new_workbook()
    sheet = ReportSheet(
        workbook,
        name="曝光名单",
        title=f"{county_name()}{TITLE}",
        subtitle=f"单位：元　　公布日期 {period_text(start, end)}　　现欠缴为 "
        f"{chinese_date(taken_at.date())} {taken_at:%H:%M} 台账余额",
        columns=[
            Column("序号", "count", 6),
            Column("公告文号", width=20),
            Column("公布日期", "date", 11),
            Column("单位名称", width=30),
            Column("统一社会信用代码", width=21),
            Column("法定代表人", width=10),
            Column("地址", width=30),
            Column("公布时欠缴本金", "money", 15, total=True),
            Column("现欠缴本金", "money", 15, total=True),
            Column("现状", width=16),
        ],
        freeze_columns=4,
    )
    for number, line in enumerate(exposures(start, end), 1):
        sheet.row(
            [
                number,
                line.number,
                line.published_on,
                line.name,
                line.credit_code,
                line.legal_representative,
                line.address,
                line.principal_published,
                line.principal_now,
                line.status,
            ]
        )
    sheet.totals()
    sheet.note(
        "名单依据经批准出具的曝光公告（重大劳动保障违法行为社会公布）汇总，单位信息为公告所载；"
        "“现欠缴本金”供核对是否撤下公布之用。"
    )
    return workbook_bytes(workbook, taken_at=taken_at, author=settings.OFFICE_NAME)


def _bureau_name() -> str:
    body = IssuingBody.objects.filter(kind=Body.BUREAU).first()
    return body.name if body else DEFAULT_BODIES[Body.BUREAU]["name"]


def exposure_html(*, start: date, end: date, taken_at: datetime | None = None) -> str:
    taken_at = taken_at or taken_now()
    lines = exposures(start, end)
    css = (settings.BASE_DIR / "static" / "notices" / "document.css").read_text()
    return render_to_string(
        "reports/reports_exposure_pdf.html",
        {
            "css": css,
            "title": f"{county_name()}{TITLE}",
            "period": period_text(start, end),
            "lines": [
                {"line": line, "amount": format_yuan(line.principal_published)} for line in lines
            ],
            "total": format_yuan(sum((line.principal_published for line in lines), ZERO)),
            "signer": _bureau_name(),
            "date": chinese_date(taken_at.date()),
        },
    )


def build_exposure_pdf(*, start: date, end: date, taken_at: datetime | None = None) -> bytes:
    from weasyprint import HTML  # loaded where it is used: the reports worker

    html = exposure_html(start=start, end=end, taken_at=taken_at)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
