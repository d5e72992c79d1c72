from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from notices.models import Document
from notices.services import document_pdf_ensure


class Command(BaseCommand):
    help = (
        "写出用户下载的那份文书 PDF（尚未生成的当即生成并保存；已作废的带“已作废”标记）。"
        "用法：document_pdf 文书ID --output 文件.pdf"
    )

    def add_arguments(self, parser):
        parser.add_argument("document_id", type=int, help="文书 ID")
        parser.add_argument("--output", required=True, type=Path, help="写出的 PDF 文件")

    def handle(self, *args, document_id, output, **options):
        if not output.parent.is_dir():
            raise CommandError(f"输出目录不存在：{output.parent}")
        try:
            # The same call as the download view: the bytes are those a user gets.
            document = document_pdf_ensure(document_id=document_id)
        except Document.DoesNotExist:
            raise CommandError(f"文书不存在：ID {document_id}") from None
        with document.pdf.open("rb") as stored:
            output.write_bytes(stored.read())
        status = "（已作废）" if document.is_voided else ""
        self.stdout.write(f"{document.number_text}{status} → {output}")
