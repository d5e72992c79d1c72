"""manage.py monthly_report --month YYYY-MM --output FILE.xlsx

Writes the monthly report for the month: the same builder, and so the same bytes, as the
archive made at the same moment (reports.sheets.workbook_bytes stamps the file with the
moment the figures were taken, to the minute). Nothing is archived; the export is audited.
"""

import re
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.audit import AuditAction, log_action
from core.dates import today
from reports.monthly import build_monthly, monthly_file_name


def _month(text: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise CommandError(f"--month {text}: 应为 YYYY-MM，例如 2026-11")
    month = date(int(match[1]), int(match[2]), 1)
    if month > today():
        raise CommandError(f"--month {text}: 该月尚未开始")
    return month


class Command(BaseCommand):
    help = "生成清欠月报（xlsx）：--month YYYY-MM --output FILE.xlsx"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="报告月份，YYYY-MM")
        parser.add_argument("--output", required=True, help="输出文件（.xlsx）")

    def handle(self, *args, month, output, **options):
        first = _month(month)
        content = build_monthly(month=first)
        Path(output).write_bytes(content)
        log_action(
            actor=None,
            action=AuditAction.EXPORT,
            detail={
                "report": "月报",
                "step": "command",
                "file": monthly_file_name(first),
                "output": str(output),
                "size": len(content),
            },
        )
        self.stdout.write(f"wrote {output} ({len(content)} bytes)")
