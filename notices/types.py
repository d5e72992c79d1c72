"""The documents of DESIGN §3.8: what each states and when its deadline falls."""

from dataclasses import dataclass

from django.db import models


class Body(models.TextChoices):
    """The bodies of a county that issue documents (DESIGN §3.8). Only the center collects;
    only the 人社局 decides a transfer; only its enforcement unit fines (行政处罚法 第三十八条:
    a penalty by a body without the power is void)."""

    CENTER = "center", "社会保险中心"
    BUREAU = "bureau", "人力资源和社会保障局"
    ENFORCEMENT = "enforcement", "劳动保障监察（综合行政执法）机构"


class DocumentType(models.TextChoices):
    DEADLINE_NOTICE = "deadline_notice", "限期补缴通知书"
    AUDIT_NOTICE = "audit_notice", "稽核通知书"
    AUDIT_RESULT = "audit_result", "稽核情况告知书"
    AUDIT_OPINION = "audit_opinion", "稽核意见书"
    REMINDER = "reminder", "催告书"
    # Retired: it mixed an order and a 催告 in one paper. Issued ones keep number and text.
    RECTIFICATION_ORDER = "rectification_order", "责令限期改正指令书（催告书，已停用）"
    ACCOUNT_INQUIRY = "account_inquiry", "账户查询通知书"
    TRANSFER_APPLICATION = "transfer_application", "划拨申请书"
    TRANSFER_DECISION = "transfer_decision", "划拨社会保险费决定书"
    TRANSFER_NOTICE = "transfer_notice", "协助划拨通知书"
    REFERRAL = "referral", "案件移送函"
    PENALTY_NOTICE = "penalty_notice", "行政处罚事先告知书"
    HEARING_NOTICE = "hearing_notice", "听证通知书"
    PENALTY_DECISION = "penalty_decision", "行政处罚决定书"
    DEFERRAL_AGREEMENT = "deferral_agreement", "延期缴费协议"
    COURT_APPLICATION = "court_application", "强制执行申请书"
    EXPOSURE_NOTICE = "exposure_notice", "曝光公告"
    STATEMENT = "statement", "对账单"


@dataclass(frozen=True)
class Deadline:
    days: int
    working: bool  # working days (工作日) or calendar days (日)

    def describe(self) -> str:
        return f"{self.days}个工作日" if self.working else f"{self.days}日"


@dataclass(frozen=True)
class TypeRules:
    title: str  # as printed, without （催告书） etc. where the title differs
    prefix: str  # default 机关代字
    deadline: Deadline | None  # counted from the day after (deemed) service
    legal_basis: tuple[str, ...]
    states_amounts: bool = True
    states_remedies: bool = False  # 复议 60 日 / 诉讼 6 个月
    states_defence: bool = False  # 陈述、申辩
    # The text cites its articles where they apply, as a court application must; no 依据 note
    # then stands between the closing and the signature.
    basis_in_text: bool = False
    # Served on the enterprise, with a service record and a deadline from it. Letters to the
    # bank, the 人社局, the enforcement unit or the court, and a publication, are not: they
    # never wait in the unserved lists.
    served_on_enterprise: bool = True
    # Who may issue it; the first is the default. The 催告书 and the court application are the
    # center's for contributions it ordered and the enforcement unit's for a fine.
    bodies: tuple[str, ...] = (Body.CENTER,)
    retired: bool = False  # no longer issued; issued ones stay valid as they are
    standalone: bool = False  # issued from an enterprise's 文书 tab, not only by a case move
    # States the enterprise's bank account number (查询划拨). The number stays in clear in the
    # issued act — the bank must find the account — so the act itself, its PDF and its service
    # proofs, goes only to those who may unmask (notices.accounts); others read it masked.
    states_bank_account: bool = False


LAW_63 = "《中华人民共和国社会保险法》第六十三条"
LAW_86 = "《中华人民共和国社会保险法》第八十六条"
ORDER_20_16 = "《社会保险费申报缴纳管理规定》（人力资源和社会保障部令第20号）第十六条"
AUDIT = "《社会保险稽核办法》（劳动和社会保障部令第16号）"
COERCION_35 = "《中华人民共和国行政强制法》第三十五条"
COERCION_47 = "《中华人民共和国行政强制法》第四十七条"
COERCION_53_54 = "《中华人民共和国行政强制法》第五十三条、第五十四条"
PENALTY_44 = "《中华人民共和国行政处罚法》第四十四条、第四十五条、第六十三条、第六十四条"
PENALTY_59 = "《中华人民共和国行政处罚法》第五十九条、第六十七条、第七十二条"
PENALTY_HEARING = "《中华人民共和国行政处罚法》第六十三条、第六十四条"
COERCION_37 = "《中华人民共和国行政强制法》第三十七条"
COERCION_55 = "《中华人民共和国行政强制法》第五十三条、第五十四条、第五十五条"
HANDLING_44 = "《社会保险经办条例》第四十四条"
PUBLICATION = "《重大劳动保障违法行为社会公布办法》（人力资源和社会保障部令第29号）"
ORDER_20_17_18 = "《社会保险费申报缴纳管理规定》第十七条、第十八条"

CENTER_OR_UNIT = (Body.CENTER, Body.ENFORCEMENT)

RULES: dict[str, TypeRules] = {
    DocumentType.DEADLINE_NOTICE: TypeRules(
        "社会保险费限期补缴通知书",
        "催",
        Deadline(5, True),
        (LAW_63, LAW_86, ORDER_20_16),
        states_remedies=True,
        standalone=True,
    ),
    DocumentType.AUDIT_NOTICE: TypeRules(
        "社会保险稽核通知书", "稽", None, (AUDIT + "第十条",), states_amounts=False
    ),
    DocumentType.AUDIT_RESULT: TypeRules(
        "社会保险稽核情况告知书", "稽告", None, (AUDIT + "第十一条",), states_amounts=False
    ),
    DocumentType.AUDIT_OPINION: TypeRules(
        "社会保险稽核整改意见书",
        "稽意",
        Deadline(15, False),
        (AUDIT + "第十一条", LAW_63),
        states_remedies=True,
    ),
    DocumentType.REMINDER: TypeRules(
        "催告书",
        "催告",
        Deadline(10, True),
        (COERCION_35, "《中华人民共和国行政强制法》第五十四条"),
        states_defence=True,
        bodies=CENTER_OR_UNIT,
    ),
    DocumentType.RECTIFICATION_ORDER: TypeRules(
        "责令限期改正指令书（催告书）",
        "责",
        Deadline(10, True),
        (LAW_63, LAW_86, COERCION_35),
        states_defence=True,
        retired=True,
    ),
    DocumentType.ACCOUNT_INQUIRY: TypeRules(
        "账户查询通知书",
        "查",
        None,
        (LAW_63,),
        states_amounts=False,
        served_on_enterprise=False,
        states_bank_account=True,
    ),
    DocumentType.TRANSFER_APPLICATION: TypeRules(
        "关于申请作出划拨社会保险费决定的函",
        "划申",
        None,
        (LAW_63, ORDER_20_17_18),
        served_on_enterprise=False,
        # The inquiry's findings, as typed: 开户行、账号、余额.
        states_bank_account=True,
    ),
    DocumentType.TRANSFER_DECISION: TypeRules(
        "划拨社会保险费决定书",
        "划决",
        None,
        (LAW_63, COERCION_37),
        states_remedies=True,
        bodies=(Body.BUREAU,),
        states_bank_account=True,
    ),
    DocumentType.TRANSFER_NOTICE: TypeRules(
        "协助划拨社会保险费通知书",
        "划",
        None,
        (LAW_63, COERCION_47),
        bodies=(Body.BUREAU,),
        served_on_enterprise=False,
        states_bank_account=True,
    ),
    DocumentType.REFERRAL: TypeRules(
        "案件移送函", "移", None, (HANDLING_44, LAW_86), served_on_enterprise=False
    ),
    DocumentType.PENALTY_NOTICE: TypeRules(
        "行政处罚事先告知书",
        "罚告",
        Deadline(5, True),
        (LAW_86, PENALTY_44),
        states_defence=True,
        bodies=(Body.ENFORCEMENT,),
    ),
    DocumentType.HEARING_NOTICE: TypeRules(
        "听证通知书",
        "听",
        None,
        (PENALTY_HEARING,),
        states_amounts=False,
        bodies=(Body.ENFORCEMENT,),
    ),
    DocumentType.PENALTY_DECISION: TypeRules(
        "行政处罚决定书",
        "罚决",
        Deadline(15, False),
        (LAW_86, PENALTY_59),
        states_remedies=True,
        bodies=(Body.ENFORCEMENT,),
    ),
    DocumentType.DEFERRAL_AGREEMENT: TypeRules(
        "延期缴纳社会保险费协议", "缓", None, (LAW_63, "《社会保险费申报缴纳管理规定》第十九条")
    ),
    DocumentType.COURT_APPLICATION: TypeRules(
        "强制执行申请书",
        "执",
        None,
        (LAW_63, COERCION_55),
        bodies=CENTER_OR_UNIT,
        basis_in_text=True,
        served_on_enterprise=False,
    ),
    DocumentType.EXPOSURE_NOTICE: TypeRules(
        "重大劳动保障违法行为社会公布",
        "曝",
        None,
        (LAW_63, PUBLICATION),
        bodies=(Body.BUREAU,),
        served_on_enterprise=False,
    ),
    DocumentType.STATEMENT: TypeRules(
        "社会保险费欠费对账单", "对", None, (LAW_86,), standalone=True
    ),
}

# What a user may issue from an enterprise's 文书 tab; everything else comes from a case move.
STANDALONE_TYPES = tuple(t for t, rules in RULES.items() if rules.standalone)


def body_may_issue(body: str, doc_type: str) -> bool:
    return body in RULES[doc_type].bodies


SERVED_TYPES = tuple(t for t, rules in RULES.items() if rules.served_on_enterprise)
