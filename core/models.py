from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from core.roles import CAPABILITIES


class User(AbstractUser):
    # Chinese names do not split into first and last name.
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    # Set by an administrator's reset (and an account the administrator created): the password
    # is one somebody else knows, so every page leads to the change form until the user chose
    # his own (core.middleware.LoginStepsMiddleware).
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    # When the password was last set through the application, for PASSWORD_EXPIRY_DAYS. Empty
    # for a password set elsewhere (a shell, a test factory): such a password never expires.
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # The session of the last completed login: with SINGLE_SESSION every other session of the
    # user ends at its next request.
    session_key = models.CharField("当前会话", max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username


class PasswordHistory(models.Model):
    """The hashes of a user's latest passwords (the current one included), so that none of the
    last PASSWORD_HISTORY_COUNT comes back (core.passwords.PasswordHistoryValidator)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class AdminChangeKind(models.TextChoices):
    CREATE = "create", "新建账号"
    UPDATE = "update", "修改账号"
    PASSWORD = "password", "重置密码"
    UNLOCK = "unlock", "解除登录锁定"
    OTP_RESET = "otp_reset", "重置双因素认证"


class AdminChangeStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "已驳回"
    WITHDRAWN = "withdrawn", "已撤回"


class AdminChangeRequest(models.Model):
    """A change to an administrator's or auditor's account, made by one administrator and
    carried out only when the other confirms it (三员分立; settings.ADMIN_CHANGE_CONFIRMED_BY).

    `payload` holds what the change sets (the new roles, name, phone, state; for a new account
    its user name as well) and `before` the account as it was, for the page and the audit log.
    A new password is kept as its hash only, and only until the request is decided."""

    kind = models.CharField("类别", max_length=20, choices=AdminChangeKind.choices)
    status = models.CharField(
        "状态", max_length=10, choices=AdminChangeStatus.choices, default=AdminChangeStatus.PENDING
    )
    # Empty for a new account until it is confirmed and created.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="admin_change_requests",
    )
    subject_username = models.CharField("用户名", max_length=150)
    payload = models.JSONField("变更内容", default=dict, blank=True)
    before = models.JSONField("变更前", default=dict, blank=True)
    password_hash = models.CharField(max_length=128, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    reason = models.CharField("理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "管理员账号变更申请"
        verbose_name_plural = "管理员账号变更申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request per account and kind: a second would race the first.
            models.UniqueConstraint(
                fields=["subject_username", "kind"],
                condition=models.Q(status="pending"),
                name="adminchange_one_pending_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.subject_username}：{self.get_kind_display()}"


class Capability(models.Model):
    """Holds the capability permissions; it has no table (see core.roles)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = CAPABILITIES

    def __str__(self):
        return "capability"


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED_OUT = "locked_out", "账号锁定"
    LOGOUT = "logout", "退出"
    SESSION_EXPIRED = "session_expired", "会话超时"
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    IMPORT = "import", "导入"
    EXPORT = "export", "导出"
    UNMASK = "unmask", "查看明文"
    APPROVE = "approve", "审批通过"
    REJECT = "reject", "审批驳回"
    POST_MONEY = "post_money", "记账"
    REVERSE = "reverse", "冲正"
    TRANSITION = "transition", "状态变更"
    ISSUE = "issue", "出具文书"
    VOID = "void", "作废"
    SETTINGS = "settings", "配置变更"
    ACCESS_REFUSED = "access_refused", "访问被拒绝"
    AUDIT_PRUNED = "audit_pruned", "清理过期审计日志"


class AuditResult(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


class AuditEntry(models.Model):
    """Append-only: a trigger rejects every change but the sealing of an unsealed entry, and
    deletes of entries younger than the retention floor (core.0015); the application's
    database role holds neither UPDATE of the content nor DELETE nor TRUNCATE (core.db_roles).

    The object is stored as text, not as a foreign key, so that no delete elsewhere can ever
    cascade into the log and the entry still reads the same after the object changed.

    Entries are hash-chained once committed (core.audit_chain): `seq` orders the chain and
    `hash` covers the entry and the previous entry's hash, so a removed or altered entry
    breaks every hash after it (`manage.py verify_audit`).
    """

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_username = models.CharField("用户名", max_length=150, blank=True, db_index=True)
    action = models.CharField("操作", max_length=30, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    result = models.CharField(
        "结果", max_length=10, choices=AuditResult.choices, default=AuditResult.SUCCESS
    )
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    seq = models.BigIntegerField("链序号", null=True, blank=True, unique=True)
    prev_hash = models.CharField("前一条哈希", max_length=64, blank=True)
    hash = models.CharField("哈希", max_length=64, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [
            # Sealed entries carry all three, unsealed ones none: nothing half-sealed.
            models.CheckConstraint(
                name="auditentry_sealed_whole",
                condition=(
                    models.Q(seq__isnull=True, prev_hash="", hash="")
                    | (models.Q(seq__isnull=False) & ~models.Q(hash="") & ~models.Q(prev_hash=""))
                ),
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.get_action_display()}"


class AuditCheckpoint(models.Model):
    """Where the chain starts after retention removed its oldest entries: the last removed
    entry's sequence number and hash, which the first remaining entry must point to."""

    seq = models.BigIntegerField("最后删除的链序号", unique=True)
    hash = models.CharField("最后删除的哈希", max_length=64)
    removed = models.PositiveIntegerField("删除条数")
    before = models.DateField("删除此日期以前的日志")
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "审计日志保留检查点"
        verbose_name_plural = "审计日志保留检查点"
        ordering = ["-seq"]

    def __str__(self):
        return f"{self.before} 以前 {self.removed} 条"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    READY = "ready", "待确认"
    DONE = "done", "已完成"
    REFUSED = "refused", "未通过检查"
    FAILED = "failed", "失败"


class Job(models.Model):
    """Long work a user started and watches: an import, a batch of documents. Its life cycle
    is in core.jobs; the result is stored here when a step ends."""

    kind = models.CharField("类型", max_length=40, db_index=True)
    # The Celery task that runs the job's next step, by name: what recovery hands over again.
    task = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    queued_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    message = models.TextField("说明", blank=True)
    # Where the user who started it was (core.audit.on_behalf_of): its audit entries say so.
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    file_path = models.CharField(max_length=300, blank=True)
    total = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class CalendarYear(models.Model):
    """A year whose holidays and make-up workdays are known. Dates of other years count
    weekends and the statutory holidays of 全国年节及纪念日放假办法 only, and screens say so
    (DESIGN §3.8)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "节假日年度"
        verbose_name_plural = "节假日年度"
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class Holiday(models.Model):
    """A day that differs from the weekday rule: a statutory holiday on a weekday, or a
    weekend day that is a make-up workday (调休上班)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("调休上班", default=False)
    name = models.CharField("名称", max_length=40, blank=True)

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.name}"
