"""Spreadsheets for import tests, built the way a user's Excel would save them."""

import zipfile
from pathlib import Path

from openpyxl import Workbook

ENTERPRISE_HEADERS = [
    "统一社会信用代码",
    "单位名称",
    "所属乡镇",
    "行业",
    "经济类型",
    "法定代表人",
    "联系电话",
    "地址",
]


def make_xlsx(path: Path, rows: list[list], headers=ENTERPRISE_HEADERS, edit=None) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    if headers:
        sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if edit:
        edit(sheet)
    workbook.save(path)
    return path


def replace_part(path: Path, part: str, content: bytes) -> Path:
    """Rewrite one part of the xlsx zip (e.g. a worksheet) with raw bytes."""
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in items:
            target.writestr(info, content if info.filename == part else data)
    return path


def add_part(path: Path, part: str, content: bytes) -> Path:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as target:
        target.writestr(part, content)
    return path
