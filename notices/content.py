"""What a document states, computed once at issue and frozen in Document.content."""

from datetime import date, timedelta
from decimal import Decimal

from arrears.engine import fee_window
from arrears.policy import fee_rules
from arrears.selectors import enterprise_fee_quotes, item_notes
from core.calendar import add_calendar_days, add_months
from core.dates import chinese_date
from core.money import amount_in_capitals, format_yuan, round_fen
from enterprises.models import Enterprise
from notices.models import IssuingBody, OfficeSettings
from notices.types import RULES, DocumentType

ZERO = Decimal("0.00")


_DIGITS = "零一二三四五六七八九"


def daily_rate_text(rate: Decimal) -> str:
    """0.0005 → 万分之五, 0.002 → 千分之二; any other rate as a percentage."""
    for scale, name in ((10000, "万分之"), (1000, "千分之")):
        units = rate * scale
        if units == units.to_integral_value() and 1 <= units <= 9:
            return f"{name}{_DIGITS[int(units)]}"
    return f"{(rate * 100).normalize():f}%"


def fee_statement(as_of: date, rows_flags: dict) -> dict:
    """What the figure covers (DESIGN §3.3): the true last fee day of the policy, the rate that
    applies from the next day, and the items it does not apply to."""
    rules = fee_rules()
    _, last_fee_day = fee_window(as_of, as_of, rules)
    return {
        "fee_through": chinese_date(last_fee_day),
        "rate_text": daily_rate_text(rules.rate_on(last_fee_day + timedelta(days=1))),
        **rows_flags,
    }


def item_key(period: date, insurance_label: str) -> tuple[str, str]:
    """How a document's row names its debt: 2026年3月, 基本养老保险."""
    return (f"{period.year}年{period.month}月", insurance_label)


def named_items(document) -> set[tuple[str, str]]:
    """The debts a decision ordered paid, as its frozen rows name them."""
    return {(row["period"], row["insurance"]) for row in document.content.get("items", [])}


def _items(
    enterprise: Enterprise, as_of: date, with_segments: bool, only: set | None = None
) -> tuple[list[dict], dict]:
    """`only`: the item keys a decision named; what enforces it may claim no other month."""
    rows, principal_total, fee_total, above_total = [], ZERO, ZERO, ZERO
    flags = {"any_suspended": False, "any_local_rule": False}
    quotes = enterprise_fee_quotes(enterprise.pk, as_of=as_of)
    items = list(enterprise.ledger_items.order_by("period", "insurance_type"))
    item_notes(items, on=as_of)
    for item in items:
        if (
            only is not None
            and item_key(item.period, item.get_insurance_type_display()) not in only
        ):
            continue
        quote = quotes[item.pk]
        principal = item.principal - item.principal_paid
        fee = max(quote.fee - item.fee_paid, ZERO)
        if principal <= 0 and fee <= 0:
            continue
        above = quote.above_principal
        row = {
            "period": f"{item.period.year}年{item.period.month}月",
            "insurance": item.get_insurance_type_display(),
            "due": chinese_date(item.due_date),
            "principal": format_yuan(principal),
            "fee": format_yuan(fee),
            "total": format_yuan(principal + fee),
            # Beside the fee: why it is what it is.
            "fee_note": "滞纳金按当地规定"
            if quote.local_rule
            else "暂停计收"
            if item.notes["suspended_by"]
            else f"其中超过本金 {format_yuan(above)}"
            if above
            else "",
        }
        flags["any_suspended"] |= bool(item.notes["suspended_by"])
        flags["any_local_rule"] |= quote.local_rule
        above_total += above
        if with_segments:
            row["segments"] = [
                {
                    "from": chinese_date(s.start),
                    "to": chinese_date(s.end),
                    "principal": format_yuan(s.principal),
                    "rate": f"{(s.rate * 100).normalize():f}%",
                    "days": s.days,
                    "fee": format_yuan(s.fee),
                }
                for s in quote.segments
            ]
            row["paid"] = format_yuan(item.principal_paid)
            row["fee_paid"] = format_yuan(item.fee_paid)
        rows.append(row)
        principal_total += principal
        fee_total += fee
    total = principal_total + fee_total
    totals = {
        **fee_statement(as_of, flags),
        "above_principal": format_yuan(above_total) if above_total else "",
        "principal": format_yuan(principal_total),
        "fee": format_yuan(fee_total),
        "total": format_yuan(total),
        "principal_raw": str(principal_total),
        "total_raw": str(total),
        "total_capitals": amount_in_capitals(total),
        "principal_capitals": amount_in_capitals(principal_total),
        "fee_capitals": amount_in_capitals(fee_total),
    }
    return rows, totals


def instalment_plan(total: Decimal, months: int, start: date) -> list[tuple[date, Decimal]]:
    """Equal monthly shares of `total`, due on the 25th of each month after `start`; the last
    share takes what rounding left over, so the shares add up to the total exactly."""
    share = round_fen(total / months)
    plan = []
    for n in range(months):
        due = add_months(start.replace(day=25), n + 1)
        plan.append((due, share if n < months - 1 else total - share * (months - 1)))
    return plan


def build_content(
    *,
    doc_type: str,
    enterprise: Enterprise,
    issued_on: date,
    office: OfficeSettings,
    body: IssuingBody,
    number_text: str,
    extra: dict | None = None,
) -> dict:
    rules = RULES[doc_type]
    extra = dict(extra or {})
    only = extra.pop("named_items", None)
    items, totals = _items(
        enterprise,
        issued_on,
        with_segments=doc_type == DocumentType.STATEMENT,
        only={tuple(key) for key in only} if only is not None else None,
    )
    basic = (
        enterprise.bank_accounts.filter(is_basic=True).first() or enterprise.bank_accounts.first()
    )
    if doc_type == DocumentType.AUDIT_NOTICE and "audit_on" not in extra:
        # At least 3 days' notice (社会保险稽核办法 第十条); a working day.
        extra["audit_on"] = chinese_date(add_calendar_days(issued_on, 3).day)
    if doc_type in (DocumentType.PENALTY_NOTICE, DocumentType.PENALTY_DECISION):
        multiple = Decimal(str(extra.get("fine_multiple", "1")))
        fine = round_fen(Decimal(totals["principal_raw"]) * multiple)
        extra.update(
            {
                "fine_multiple": f"{multiple.normalize():f}",
                "fine": format_yuan(fine),
                "fine_capitals": amount_in_capitals(fine),
            }
        )
    if doc_type == DocumentType.DEFERRAL_AGREEMENT:
        # The case passes the plan it will hold the enterprise to; a document issued on its own
        # gets the same plan from the same rule.
        plan = extra.pop("plan", None) or [
            (due.isoformat(), str(amount))
            for due, amount in instalment_plan(
                Decimal(totals["principal_raw"]), int(extra.get("months", 6)), issued_on
            )
        ]
        extra["schedule"] = [
            {"due": chinese_date(date.fromisoformat(due)), "amount": format_yuan(Decimal(amount))}
            for due, amount in plan
        ]
    return {
        "title": rules.title,
        "number": number_text,
        "issued_on": chinese_date(issued_on),
        # The issuing body as it signs, seals and calls itself, with the county's accounts, review
        # body and court; frozen like the rest, so a renamed body never rewrites a document.
        "office": {
            "body": body.kind,
            "name": body.name,
            "seal_name": body.seal_name,
            "self_reference": body.self_reference,
            "head_title": body.head_title,
            "head_name": body.head_name,
            "seal_image": body.seal_image.name if body.seal_image else "",
            "address": body.address,
            "phone": body.phone,
            "contact": body.contact,
            "fine_channel": office.fine_channel,
            "account_name": office.account_name,
            "account_number": office.account_number,
            "account_bank": office.account_bank,
            "review_body": office.review_body,
            "court": office.court,
        },
        "enterprise": {
            "name": enterprise.name,
            "credit_code": enterprise.credit_code,
            "address": enterprise.address,
            "legal_representative": enterprise.legal_representative,
            "unit_number": enterprise.unit_number,
        },
        "bank": {"name": basic.bank_name, "account": basic.account_number} if basic else None,
        "items": items,
        "totals": totals,
        "deadline": rules.deadline.describe() if rules.deadline else "",
        "legal_basis": list(rules.legal_basis),
        "states_amounts": rules.states_amounts,
        "states_remedies": rules.states_remedies,
        "states_defence": rules.states_defence,
        "basis_in_text": rules.basis_in_text,
        "extra": extra,
    }


def public_notice_deemed_served(published_on: date) -> date:
    """公告送达: deemed served 30 days after publication (民事诉讼法 第九十五条)."""
    return published_on + timedelta(days=30)
