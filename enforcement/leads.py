"""Audit leads (稽核线索, DESIGN §3.7): income-tax data beside social-insurance declarations.

The rules are pure (`month_finding`); the import is all or nothing like the other importers;
`leads_refresh` turns each enterprise's findings into one open lead with an estimated shortfall.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from arrears.services import lock_enterprise
from core.audit import AuditAction, log_action
from core.dates import today
from core.excel import (
    Column,
    ParsedRows,
    Problem,
    parse_amount,
    parse_count,
    parse_period,
)
from core.money import format_yuan, round_fen
from enforcement.models import AuditLead, Case, TaxRecord
from enforcement.selectors import casework_settings
from enforcement.services import case_move, case_open
from enterprises.codes import enterprise_in_cell
from enterprises.models import Enterprise

# Declared bases a few yuan short of the taxable wages are rounding in one system or the other.
TOLERANCE = Decimal("1.00")


class LeadRule(models.TextChoices):
    UNINSURED = "uninsured", "未参保/未申报"
    HEADCOUNT = "headcount", "少报人数"
    BASE = "base", "少报基数"


@dataclass(frozen=True)
class MonthFinding:
    record: TaxRecord
    rules: tuple[str, ...]
    shortfall_base: Decimal  # the wages on which contributions are estimated to be missing


def month_finding(record: TaxRecord) -> MonthFinding | None:
    """Which rules one month breaks, and the wages the contributions are missing on: all of them
    when nothing was declared; otherwise the larger of the base gap and the missing people's
    average wages (the two views overlap, so they are not added)."""
    wages, base = record.taxable_wages, record.declared_base
    if record.tax_headcount == 0 or wages <= 0:
        return None
    if record.insured_headcount == 0 or base <= 0:
        return MonthFinding(record, (LeadRule.UNINSURED,), wages)
    rules, missing = [], Decimal("0")
    if record.tax_headcount > record.insured_headcount:
        rules.append(LeadRule.HEADCOUNT)
        average = wages / record.tax_headcount
        missing = average * (record.tax_headcount - record.insured_headcount)
    if wages - base > TOLERANCE:
        rules.append(LeadRule.BASE)
        missing = max(missing, wages - base)
    return MonthFinding(record, tuple(rules), missing) if rules else None


def estimated_shortfall(findings, *, unit_rate: Decimal, individual_rate: Decimal) -> Decimal:
    base = sum((f.shortfall_base for f in findings), Decimal("0"))
    return round_fen(base * (unit_rate + individual_rate) / 100)


# ---- import -------------------------------------------------------------------------------

COLUMNS = [
    Column("统一社会信用代码", "credit_code", required=True),
    Column("所属期", "month", required=True, aliases=("月份", "税款所属期")),
    Column("个税申报人数", "tax_headcount", required=True, aliases=("申报人数",)),
    Column("应税工资总额", "taxable_wages", required=True, aliases=("工资总额", "收入额")),
    Column("参保人数", "insured_headcount", required=True),
    Column("申报缴费基数总额", "declared_base", required=True, aliases=("缴费基数总额",)),
]
TEMPLATE_HEADERS = [c.header for c in COLUMNS]
HEADER_OF = {c.key: c.header for c in COLUMNS}


@dataclass
class ParsedTaxData(ParsedRows):
    rows: list[TaxRecord] = field(default_factory=list)


def parse_tax_file(path: Path, *, allowed_region_ids=None) -> ParsedTaxData:
    parsed = ParsedTaxData()
    opened = parsed.open_sheet(path, COLUMNS)
    if opened is None:
        return parsed
    _, rows = opened
    enterprises = {
        code: (pk, region)
        for code, pk, region in Enterprise.objects.values_list("credit_code", "pk", "region_id")
    }
    seen: dict[tuple, int] = {}
    for row, cells in rows:
        before = len(parsed.problems)

        def problem(key, message, row=row):
            parsed.problems.append(Problem(row, HEADER_OF[key], message))

        entry, error = enterprise_in_cell(cells.get("credit_code"), enterprises, allowed_region_ids)
        if error:
            problem("credit_code", error)
        enterprise_id = entry[0] if entry else None
        values = {}
        try:
            values["month"] = parse_period(cells.get("month", ""), latest_year=today().year)
        except ValueError as error:
            problem("month", str(error))
        for key, parse in (
            ("tax_headcount", parse_count),
            ("insured_headcount", parse_count),
            ("taxable_wages", parse_amount),
            ("declared_base", parse_amount),
        ):
            try:
                values[key] = parse(cells.get(key, ""))
            except ValueError as error:
                problem(key, str(error))
        if len(parsed.problems) == before:
            key = (enterprise_id, values["month"])
            if key in seen:
                problem("month", f"与第 {seen[key]} 行重复")
            else:
                seen[key] = row
                parsed.rows.append(TaxRecord(enterprise_id=enterprise_id, **values))
    return parsed.finish("工作表没有数据行。")


@transaction.atomic
def tax_data_import(*, actor, parsed: ParsedTaxData, filename: str, request=None) -> dict:
    if not parsed.ok:
        raise ValueError("only a checked import without problems can be written")
    TaxRecord.objects.bulk_create(
        parsed.rows,
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["enterprise", "month"],
        update_fields=["tax_headcount", "taxable_wages", "insured_headcount", "declared_base"],
    )
    enterprise_ids = sorted({r.enterprise_id for r in parsed.rows})
    leads = leads_refresh(enterprise_ids=enterprise_ids)
    log_action(
        actor=actor,
        action=AuditAction.IMPORT,
        request=request,
        username="" if actor else "manage.py",
        detail={"tax_records": len(parsed.rows), "filename": filename, "leads": leads},
    )
    return {"rows": len(parsed.rows), "enterprises": enterprise_ids, "leads": leads}


# ---- leads --------------------------------------------------------------------------------


def findings_for(enterprise_id: int, *, after=None) -> list[MonthFinding]:
    records = TaxRecord.objects.filter(enterprise_id=enterprise_id).order_by("month")
    if after is not None:
        records = records.filter(month__gt=after)
    return [f for f in map(month_finding, records) if f is not None]


def leads_refresh(*, enterprise_ids) -> int:
    """One open lead per enterprise over the months not yet decided; a decided lead (dismissed or
    audited) stays as it was, and only later months can raise a new one. Returns open leads."""
    settings = casework_settings()
    count = 0
    for enterprise_id in enterprise_ids:
        decided = (
            AuditLead.objects.filter(enterprise_id=enterprise_id)
            .exclude(status=AuditLead.Status.OPEN)
            .aggregate(last=models.Max("last_month"))["last"]
        )
        findings = findings_for(enterprise_id, after=decided)
        lead = AuditLead.objects.filter(
            enterprise_id=enterprise_id, status=AuditLead.Status.OPEN
        ).first()
        if not findings:
            if lead is not None:
                lead.delete()  # corrected data: nothing left to look into
            continue
        rules = sorted({rule for f in findings for rule in f.rules}, key=LeadRule.values.index)
        fields = {
            "rules": rules,
            "first_month": findings[0].record.month,
            "last_month": findings[-1].record.month,
            "estimated_shortfall": estimated_shortfall(
                findings, unit_rate=settings.unit_rate, individual_rate=settings.individual_rate
            ),
        }
        if lead is None:
            AuditLead.objects.create(enterprise_id=enterprise_id, **fields)
        else:
            AuditLead.objects.filter(pk=lead.pk).update(**fields)
        count += 1
    return count


def lead_findings(lead: AuditLead) -> list[MonthFinding]:
    return [
        f
        for f in findings_for(lead.enterprise_id)
        if lead.first_month <= f.record.month <= lead.last_month
    ]


def rule_labels(lead: AuditLead) -> str:
    return "、".join(LeadRule(r).label for r in lead.rules)


@transaction.atomic
def lead_dismiss(*, actor, lead: AuditLead, reason: str, request=None) -> AuditLead:
    lock_enterprise(AuditLead.objects.values_list("enterprise_id", flat=True).get(pk=lead.pk))
    lead = AuditLead.objects.select_for_update().get(pk=lead.pk)
    if lead.status != AuditLead.Status.OPEN:
        raise ValidationError("该线索已处理。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写排除理由。"})
    lead.status, lead.dismissal_reason = AuditLead.Status.DISMISSED, reason.strip()[:300]
    lead.decided_by, lead.decided_at = actor, timezone.now()
    lead.save()
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=lead,
        request=request,
        detail={"dismiss": reason},
    )
    return lead


@transaction.atomic
def lead_open_audit(*, actor, lead: AuditLead, request=None) -> Case:
    """Open a case for the lead (or take the enterprise's open case) and issue the 稽核通知书."""
    # The enterprise first (core.locks): opening and moving the case lock it, then the case.
    lock_enterprise(AuditLead.objects.values_list("enterprise_id", flat=True).get(pk=lead.pk))
    lead = AuditLead.objects.select_for_update().select_related("enterprise").get(pk=lead.pk)
    if lead.status != AuditLead.Status.OPEN:
        raise ValidationError("该线索已处理。")
    case = Case.objects.filter(enterprise=lead.enterprise, closed_at__isnull=True).first()
    if case is None:
        case = case_open(
            actor=actor,
            enterprise=lead.enterprise,
            classification=lead.enterprise.ability,
            origin=f"稽核线索：{rule_labels(lead)}，估算少缴 {format_yuan(lead.estimated_shortfall)} 元",
            request=request,
        )
    case = case_move(actor=actor, case=case, to_stage="audit", reason="稽核线索", request=request)
    lead.status, lead.case = AuditLead.Status.AUDIT, case
    lead.decided_by, lead.decided_at = actor, timezone.now()
    lead.save()
    log_action(actor=actor, action=AuditAction.UPDATE, obj=lead, request=request)
    return case
