from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.excel import exit_with_problems
from enforcement.classification import evidence_import_and_reclassify
from enterprises.evidence_import import parse_evidence_file


class Command(BaseCommand):
    help = "导入工资、税款、公积金、社保缴纳等经营证据（全部成功或一行也不写入），并重新分类涉及的企业。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"file not found: {file}")
        parsed = parse_evidence_file(file)
        if not parsed.ok:
            exit_with_problems(self.stdout, file.name, parsed)
        summary = evidence_import_and_reclassify(actor=None, parsed=parsed, filename=file.name)
        self.stdout.write(
            f"imported {summary['rows']} rows, reclassified {summary['reclassified']} enterprises"
        )
