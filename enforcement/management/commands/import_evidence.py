from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.imports import import_from_command


class Command(BaseCommand):
    help = "导入工资、税款、公积金、社保缴纳等经营证据（全部成功或一行也不写入），并重新分类涉及的企业。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"file not found: {file}")
        _, summary = import_from_command("evidence", file, stdout=self.stdout)
        self.stdout.write(
            f"imported {summary['rows']} rows, reclassified {summary['reclassified']} enterprises"
        )
