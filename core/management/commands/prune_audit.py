from django.core.management.base import BaseCommand, CommandError

from core import dates
from core.audit import AuditAction, log_action
from core.audit_chain import RetentionRefused, prune_audit
from core.commands import date_option


class Command(BaseCommand):
    help = (
        "删除 --before 日期以前的审计日志（至少保留 184 天），并记下最后一条的哈希，"
        "使其余日志仍可核验。须以数据库所有者角色运行：应用角色无权删除审计日志。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="删除此日期以前的日志 YYYY-MM-DD")

    def handle(self, *args, before, **options):
        day = date_option("--before", before)
        try:
            checkpoint = prune_audit(before=day, today=dates.today())
        except RetentionRefused as refusal:
            raise CommandError(str(refusal)) from None
        if checkpoint is None:
            self.stdout.write(f"{day} 以前没有可删除的审计日志。")
            return
        # The removal itself stays in the log, for as long as the log is kept.
        log_action(
            actor=None,
            action=AuditAction.AUDIT_PRUNED,
            detail={"before": day.isoformat(), "removed": checkpoint.removed},
        )
        self.stdout.write(f"已删除 {day} 以前的审计日志 {checkpoint.removed} 条。")
