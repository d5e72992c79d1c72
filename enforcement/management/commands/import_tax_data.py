from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.excel import exit_with_problems
from enforcement.leads import parse_tax_file, tax_data_import


class Command(BaseCommand):
    help = "导入个税与参保申报比对数据（全部成功或一行也不写入），并生成稽核线索。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"file not found: {file}")
        parsed = parse_tax_file(file)
        if not parsed.ok:
            exit_with_problems(self.stdout, file.name, parsed)
        summary = tax_data_import(actor=None, parsed=parsed, filename=file.name)
        self.stdout.write(f"imported {summary['rows']} rows, {summary['leads']} open audit leads")
