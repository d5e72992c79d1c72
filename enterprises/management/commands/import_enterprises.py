from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.excel import exit_with_problems
from enterprises.importers import parse_enterprise_file
from enterprises.services import enterprises_import


class Command(BaseCommand):
    help = "导入企业名册（与网页上传同一导入程序）：全部成功或一行也不写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.exists():
            raise CommandError(f"file not found: {file}")
        parsed = parse_enterprise_file(file)
        if not parsed.ok:
            exit_with_problems(self.stdout, file.name, parsed)
        if dry_run:
            self.stdout.write(f"checked {len(parsed.rows)} rows (dry run, nothing written)")
            return
        summary = enterprises_import(actor=None, parsed=parsed, filename=file.name)
        self.stdout.write(
            f"imported {summary['rows']} rows ({summary['created']} new, {summary['updated']} updated)"
        )
