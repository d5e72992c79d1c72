from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast
from django.db.models.lookups import StartsWith

from core.crypto import PREFIX as ENCRYPTED
from core.crypto import EncryptedCharField
from enterprises.codes import USCC_PATTERN, id_number_problem, uscc_problem


def validate_uscc(value):
    problem = uscc_problem(value)
    if problem:
        raise ValidationError(problem)


def validate_id_number(value):
    problem = id_number_problem(value)
    if problem:
        raise ValidationError(problem)


class TaskGroup(models.Model):
    name = models.CharField("工作组", max_length=50, unique=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="组长",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_task_groups",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="组员", blank=True, related_name="task_groups"
    )

    class Meta:
        verbose_name = "工作组"
        verbose_name_plural = "工作组"
        # In the order they were set up: sorting 第一/第二/第三 by code point gives 一、三、二.
        ordering = ["pk"]

    def __str__(self):
        return self.name


class Region(models.Model):
    """A township (乡镇 / 街道). Each belongs to at most one task group, whose jurisdiction it is."""

    name = models.CharField("乡镇", max_length=50, unique=True)
    code = models.CharField("区划代码", max_length=12, blank=True)
    task_group = models.ForeignKey(
        TaskGroup,
        verbose_name="工作组",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="regions",
    )

    class Meta:
        verbose_name = "乡镇"
        verbose_name_plural = "乡镇"
        ordering = ["code", "name"]

    def __str__(self):
        return self.name


class Industry(models.TextChoices):
    """GB/T 4754-2017 门类."""

    A = "A", "农、林、牧、渔业"
    B = "B", "采矿业"
    C = "C", "制造业"
    D = "D", "电力、热力、燃气及水生产和供应业"
    E = "E", "建筑业"
    F = "F", "批发和零售业"
    G = "G", "交通运输、仓储和邮政业"
    H = "H", "住宿和餐饮业"
    I = "I", "信息传输、软件和信息技术服务业"  # noqa: E741
    J = "J", "金融业"
    K = "K", "房地产业"
    L = "L", "租赁和商务服务业"
    M = "M", "科学研究和技术服务业"
    N = "N", "水利、环境和公共设施管理业"
    O = "O", "居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "教育"
    Q = "Q", "卫生和社会工作"
    R = "R", "文化、体育和娱乐业"
    S = "S", "公共管理、社会保障和社会组织"
    T = "T", "国际组织"


class Ownership(models.TextChoices):
    STATE = "state", "国有企业"
    COLLECTIVE = "collective", "集体企业"
    JOINT_STOCK_COOP = "stock_coop", "股份合作企业"
    LIMITED = "limited", "有限责任公司"
    STOCK = "stock", "股份有限公司"
    PRIVATE = "private", "私营企业"
    INDIVIDUAL = "individual", "个体工商户"
    HK_MACAO_TW = "hmt", "港澳台商投资企业"
    FOREIGN = "foreign", "外商投资企业"
    OTHER = "other", "其他"


class EnterpriseStatus(models.TextChoices):
    NORMAL = "normal", "正常"
    SUSPENDED = "suspended", "停产"
    DORMANT = "dormant", "歇业"
    BANKRUPTCY_ACCEPTED = "bankruptcy_accepted", "破产受理"
    BANKRUPT = "bankrupt", "破产宣告"
    DEREGISTERED = "deregistered", "注销"
    MISSING = "missing", "失踪"


class AbilityClass(models.TextChoices):
    ABLE = "able", "重点清欠对象"
    UNABLE = "unable", "跟踪关注对象"
    TO_VERIFY = "to_verify", "待核实"


class Enterprise(models.Model):
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc]
    )
    name = models.CharField("单位名称", max_length=200)
    unit_number = models.CharField("社保单位编号", max_length=30, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="所属乡镇", on_delete=models.PROTECT, related_name="enterprises"
    )
    industry = models.CharField("行业", max_length=1, choices=Industry.choices, blank=True)
    ownership = models.CharField("经济类型", max_length=20, choices=Ownership.choices, blank=True)
    status = models.CharField(
        "经营状态", max_length=20, choices=EnterpriseStatus.choices, default=EnterpriseStatus.NORMAL
    )
    # The court's acceptance date matters beyond the status: late fees stop on it (DESIGN §3.4).
    bankruptcy_accepted_on = models.DateField("破产受理日期", null=True, blank=True)
    bankruptcy_declared_on = models.DateField("破产宣告日期", null=True, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    # Encrypted at rest (core.crypto); found by the exact number only.
    legal_rep_id_number = EncryptedCharField(
        "法定代表人身份证号", max_length=18, blank=True, validators=[validate_id_number]
    )
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    headcount = models.PositiveIntegerField("职工人数", null=True, blank=True)
    # A cache of enterprises.classification.classify, refreshed when evidence or the ledger changes.
    ability = models.CharField("清欠分类", max_length=10, choices=AbilityClass.choices, blank=True)
    ability_reason = models.CharField("分类依据", max_length=300, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["region", "status"]),
            # The register's order within a township, and its pages found by key alone
            # (core.pagination.paginate_by_keys): read from the index, never from the rows.
            models.Index(fields=["region", "name", "id"], name="enterprise_region_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_code__regex=USCC_PATTERN), name="enterprise_credit_code_form"
            ),
            models.CheckConstraint(
                condition=Q(legal_rep_id_number="")
                | StartsWith(Cast("legal_rep_id_number", models.TextField()), ENCRYPTED),
                name="enterprise_id_number_encrypted",
            ),
            models.UniqueConstraint(
                fields=["unit_number"],
                condition=~Q(unit_number=""),
                name="enterprise_unit_number_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status=EnterpriseStatus.BANKRUPTCY_ACCEPTED)
                | Q(bankruptcy_accepted_on__isnull=False),
                name="enterprise_bankruptcy_accepted_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=EnterpriseStatus.BANKRUPT)
                | Q(bankruptcy_declared_on__isnull=False),
                name="enterprise_bankrupt_has_date",
            ),
            models.CheckConstraint(
                condition=Q(bankruptcy_declared_on__isnull=True)
                | Q(bankruptcy_accepted_on__isnull=True)
                | Q(bankruptcy_declared_on__gte=F("bankruptcy_accepted_on")),
                name="enterprise_bankruptcy_dates_in_order",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.status == EnterpriseStatus.BANKRUPTCY_ACCEPTED and not self.bankruptcy_accepted_on:
            raise ValidationError({"bankruptcy_accepted_on": "破产受理状态须填写法院受理日期。"})
        if self.status == EnterpriseStatus.BANKRUPT and not self.bankruptcy_declared_on:
            raise ValidationError({"bankruptcy_declared_on": "破产宣告状态须填写宣告日期。"})
        if (
            self.bankruptcy_accepted_on
            and self.bankruptcy_declared_on
            and self.bankruptcy_declared_on < self.bankruptcy_accepted_on
        ):
            raise ValidationError({"bankruptcy_declared_on": "宣告日期不能早于受理日期。"})


class BankAccount(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="bank_accounts"
    )
    bank_name = models.CharField("开户银行", max_length=100)
    # Encrypted at rest (core.crypto); found by the exact number only, and still unique per
    # enterprise because the same number always encrypts alike.
    account_number = EncryptedCharField(
        "账号",
        max_length=40,
        validators=[RegexValidator(r"^[0-9]{6,40}$", "账号须为 6 至 40 位数字。")],
    )
    is_basic = models.BooleanField("基本存款账户", default=False)

    class Meta:
        verbose_name = "银行账户"
        verbose_name_plural = "银行账户"
        ordering = ["-is_basic", "bank_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "account_number"], name="bank_account_unique_per_enterprise"
            ),
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(is_basic=True),
                name="bank_account_one_basic_per_enterprise",
            ),
            # The database cannot see the digits any more (the validator checks them); it
            # can see that no number is ever stored in clear.
            models.CheckConstraint(
                condition=StartsWith(Cast("account_number", models.TextField()), ENCRYPTED),
                name="bank_account_number_encrypted",
            ),
        ]

    def __str__(self):
        return f"{self.bank_name} {self.account_number[-4:]}"


class EvidenceKind(models.TextChoices):
    WAGES = "wages", "发放工资"
    TAX = "tax", "申报或缴纳税款"
    HOUSING_FUND = "housing_fund", "缴纳住房公积金"
    CONTRIBUTIONS = "contributions", "缴纳当期社会保险费"


class Evidence(models.Model):
    """One month of a sign of activity, imported from the tax bureau, the housing-fund center
    or banks; evidence during the arrears period makes an enterprise able to pay (DESIGN §3.6)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="evidence")
    month = models.DateField("月份")
    kind = models.CharField("类型", max_length=20, choices=EvidenceKind.choices)
    amount = models.DecimalField("金额", max_digits=14, decimal_places=2, null=True, blank=True)
    source = models.CharField("来源", max_length=50, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "经营证据"
        verbose_name_plural = "经营证据"
        ordering = ["enterprise", "month", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "month", "kind"], name="evidence_unique_month_kind"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="evidence_month_first_day"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="evidence_amount_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.month:%Y-%m} {self.get_kind_display()}"
