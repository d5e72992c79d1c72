from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.imports import import_from_command


class Command(BaseCommand):
    help = "导入个税与参保申报比对数据（全部成功或一行也不写入），并生成稽核线索。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"file not found: {file}")
        _, summary = import_from_command("tax", file, stdout=self.stdout)
        self.stdout.write(f"imported {summary['rows']} rows, {summary['leads']} open audit leads")
