"""Scans and photos of service (送达回证、留置照片、邮寄回执): what is accepted, how it is named.

A file is known by its first bytes, never by the name or the content type the browser sent:
both are the uploader's to choose, and a page saved as 回证.pdf is still a page. It is stored
under a random name with the extension of what it really is, so neither a name a user typed nor
one a stranger could guess ever reaches the file system or a URL.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MAX_PROOF_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    label: str
    magic: bytes
    content_type: str
    extension: str
    inline: bool  # shown in the browser rather than saved (see notices.views.service_proof)


KINDS = (
    # A PDF is a program for the viewer (JavaScript, forms, launch actions): it is saved, not
    # opened inside the application's origin.
    FileKind("PDF", b"%PDF-", "application/pdf", ".pdf", inline=False),
    FileKind("JPEG", b"\xff\xd8\xff", "image/jpeg", ".jpg", inline=True),
    FileKind("PNG", b"\x89PNG\r\n\x1a\n", "image/png", ".png", inline=True),
)
HEAD_BYTES = max(len(kind.magic) for kind in KINDS)


def kind_of(head: bytes) -> FileKind | None:
    """The kind the file's first bytes announce, or None for anything else."""
    return next((kind for kind in KINDS if head.startswith(kind.magic)), None)


def read_head(file) -> bytes:
    """The first bytes of an open file, leaving it where it was read from: at the start."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def proof_kind(file) -> FileKind:
    """The kind of an uploaded proof, or a ValidationError saying in Chinese what is wrong."""
    if file.size > MAX_PROOF_BYTES:
        raise ValidationError(
            f"文件过大（{file.size / 1024 / 1024:.1f} MB）：送达回证、照片或回执不能超过 "
            f"{MAX_PROOF_BYTES // 1024 // 1024} MB，请压缩或降低扫描分辨率后重新选择。",
            code="too_large",
        )
    kind = kind_of(read_head(file))
    if kind is None:
        raise ValidationError(
            "只能上传 PDF、JPEG 或 PNG 文件。系统按文件内容识别格式，与文件名无关："
            "所选文件的内容不是这三种格式之一，请重新扫描或拍照后选择。",
            code="bad_format",
        )
    return kind


def random_name(kind: FileKind) -> str:
    """A name nobody chose or can guess; the field's upload_to adds the year folder."""
    return f"{uuid.uuid4().hex}{kind.extension}"
