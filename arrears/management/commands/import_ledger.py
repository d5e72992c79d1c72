from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.imports import import_from_command


class Command(BaseCommand):
    help = "导入欠费台账（与网页上传同一导入程序）：全部成功或一行也不写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.exists():
            raise CommandError(f"file not found: {file}")
        parsed, summary = import_from_command("ledger", file, stdout=self.stdout, dry_run=dry_run)
        if dry_run:
            summary = parsed.summary()
            self.stdout.write(
                f"checked {summary['rows']} rows for {summary['enterprises']} enterprises, "
                f"principal {summary['principal']} (dry run, nothing written)"
            )
            return
        self.stdout.write(
            f"imported {summary['rows']} rows ({summary['created']} new, {summary['updated']} updated, "
            f"{summary['unchanged']} unchanged, {summary['kept_paid_count']} kept because paid)"
        )
