"""The escalation chain of DESIGN §3.9 as one explicit table.

Every move a case can make is a row: where from, where to, the document the step produces,
whether it needs the previous document served with its deadline passed and money still owed,
and which capability must approve it (someone other than the requester). Anything not in the
table is illegal, and `enforcement.services.case_move` refuses it.
"""

from dataclasses import dataclass

from django.db import models

from notices.types import DocumentType


class Stage(models.TextChoices):
    OPENED = "opened", "立案"
    DEMAND = "demand", "催缴"
    AUDIT = "audit", "稽核"
    RECTIFICATION = "rectification", "催告"
    BANK = "bank", "查询划拨"
    PENALTY = "penalty", "移送处罚"
    COURT = "court", "申请法院强制执行"
    DISCIPLINE = "discipline", "联合惩戒"
    DEFERRAL = "deferral", "延期缴费"
    TRACKING = "tracking", "跟踪关注"
    CLOSED = "closed", "结案"


ACTIVE = (
    Stage.DEMAND,
    Stage.AUDIT,
    Stage.RECTIFICATION,
    Stage.BANK,
    Stage.PENALTY,
    Stage.COURT,
    Stage.DISCIPLINE,
)

# The lawful chain in order, as the case page's progress bar shows it; 稽核 is optional, and
# the three last enforcement stages are alternatives after 查询划拨 (DESIGN §3.9).
CHAIN = (
    Stage.OPENED,
    Stage.DEMAND,
    Stage.AUDIT,
    Stage.RECTIFICATION,
    Stage.BANK,
    Stage.PENALTY,
    Stage.COURT,
    Stage.DISCIPLINE,
    Stage.CLOSED,
)


@dataclass(frozen=True)
class Move:
    document: str | None = None  # the document this step issues
    needs_overdue: bool = True  # previous document served, its deadline passed, money still owed
    needs_defence_reviewed: bool = False  # a 陈述申辩 on the previous document was reviewed
    approval: str | None = None  # capability of the approver; None: no approval
    court_rule: bool = False  # 催告书 served at least 10 days earlier (行政强制法 第五十四条)
    final_decision: bool = False  # the order is final and unperformed (社会公布办法)
    needs_audit: bool = False  # an audit record, and an opinion's correction deadline passed
    automatic: bool = False  # made by the nightly sweep only (a deferral ends), never by hand
    needs_short_balance: bool = False  # an account inquiry found the balance short (第六十三条)


MOVES: dict[tuple[str, str], Move] = {
    (Stage.OPENED, Stage.DEMAND): Move(DocumentType.DEADLINE_NOTICE, needs_overdue=False),
    (Stage.OPENED, Stage.TRACKING): Move(needs_overdue=False),
    # An audit lead opens a case that starts with the audit (social-insurance arrears unknown yet).
    (Stage.OPENED, Stage.AUDIT): Move(DocumentType.AUDIT_NOTICE, needs_overdue=False),
    (Stage.DEMAND, Stage.AUDIT): Move(DocumentType.AUDIT_NOTICE),
    (Stage.DEMAND, Stage.RECTIFICATION): Move(DocumentType.REMINDER),
    (Stage.AUDIT, Stage.RECTIFICATION): Move(
        DocumentType.REMINDER, needs_overdue=False, needs_audit=True
    ),
    (Stage.RECTIFICATION, Stage.BANK): Move(
        DocumentType.ACCOUNT_INQUIRY, approval="approve_actions", needs_defence_reviewed=True
    ),
    # The center refers the case; the enforcement unit then runs the fine's own procedure
    # (enforcement.penalty_procedure) in its name.
    (Stage.BANK, Stage.PENALTY): Move(
        DocumentType.REFERRAL, needs_overdue=False, approval="approve_high_risk"
    ),
    (Stage.BANK, Stage.COURT): Move(
        DocumentType.COURT_APPLICATION,
        needs_overdue=False,
        approval="approve_high_risk",
        court_rule=True,
    ),
    (Stage.BANK, Stage.DISCIPLINE): Move(
        DocumentType.EXPOSURE_NOTICE,
        needs_overdue=False,
        approval="approve_high_risk",
        final_decision=True,
    ),
    (Stage.PENALTY, Stage.COURT): Move(
        DocumentType.COURT_APPLICATION,
        needs_overdue=False,
        approval="approve_high_risk",
        court_rule=True,
    ),
    (Stage.PENALTY, Stage.DISCIPLINE): Move(
        DocumentType.EXPOSURE_NOTICE,
        needs_overdue=False,
        approval="approve_high_risk",
        final_decision=True,
    ),
    (Stage.COURT, Stage.DISCIPLINE): Move(
        DocumentType.EXPOSURE_NOTICE,
        needs_overdue=False,
        approval="approve_high_risk",
        final_decision=True,
    ),
    (Stage.TRACKING, Stage.DEMAND): Move(DocumentType.DEADLINE_NOTICE, needs_overdue=False),
    # A deferral agreement may interrupt any enforcement stage once an account inquiry found the
    # balance short of what is owed; a broken one returns the case.
    **{
        (stage, Stage.DEFERRAL): Move(
            DocumentType.DEFERRAL_AGREEMENT,
            needs_overdue=False,
            approval="approve_actions",
            needs_short_balance=True,
        )
        for stage in ACTIVE
    },
    # A deferral ends by itself: honoured, or an instalment missed (the nightly sweep returns the
    # case to the stage it left); paying everything closes the case as anywhere else.
    **{(Stage.DEFERRAL, stage): Move(needs_overdue=False, automatic=True) for stage in ACTIVE},
    # Found unable to pay while being enforced: tracked instead, with a leader's consent.
    **{
        (stage, Stage.TRACKING): Move(needs_overdue=False, approval="approve_actions")
        for stage in (Stage.DEMAND, Stage.RECTIFICATION, Stage.BANK)
    },
}


class ClosingReason(models.TextChoices):
    PAID = "paid", "全额清缴"
    WRITE_OFF = "write_off", "核销"
    DEREGISTERED = "deregistered", "注销且无财产可供执行"
    OTHER = "other", "其他"


# Closing: paid in full needs nothing; any other reason needs a leader's approval.
CLOSING_APPROVAL = {
    ClosingReason.PAID: None,
    ClosingReason.WRITE_OFF: "approve_high_risk",
    ClosingReason.DEREGISTERED: "approve_high_risk",
    ClosingReason.OTHER: "approve_actions",
}
