"""Helpers of tests/test_browser_day.py: the screenshots kept as artefacts, the watch on the
browser for script and server errors, and the files a user brings (a ledger in Excel, a scan of
a signed receipt)."""

import io
import re
import shutil
from pathlib import Path

from openpyxl import Workbook

REPOSITORY = Path(__file__).resolve().parents[1]
# var/ is git-ignored: the screenshots are kept for a human to look at, never committed.
ARTIFACTS = REPOSITORY / "var" / "test-artifacts" / "browser-day"


class Camera:
    """Numbered full-page screenshots of one role's steps:
    var/test-artifacts/browser-day/<role>/<NN>-<step>.png."""

    def __init__(self, page, role: str):
        self.page, self.folder, self.count = page, ARTIFACTS / role, 0
        shutil.rmtree(self.folder, ignore_errors=True)  # only this run's steps are left
        self.folder.mkdir(parents=True)

    def shot(self, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        self.page.screenshot(path=path, full_page=True)
        return path


def watch(page) -> dict:
    """Accept every confirmation (an irreversible step asks first) and note what it asked;
    collect script errors and every refused or failed request (the browser's own look for a
    favicon aside)."""
    seen = {"problems": [], "dialogs": []}

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.accept()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: seen["problems"].append(f"script: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and not response.url.endswith("/favicon.ico")
            and seen["problems"].append(f"{response.status} {response.url}")
        ),
    )
    return seen


def text_of(page, selector: str = "body") -> str:
    return page.locator(selector).inner_text()


def squeeze(text: str) -> str:
    """Text with its runs of white space made single spaces (cells are separated by tabs)."""
    return re.sub(r"\s+", " ", text).strip()


def yuan(text: str) -> str:
    """'1,194.00' → '1194.00'."""
    return text.replace(",", "").strip()


LEDGER_HEADERS = ["统一社会信用代码", "单位名称", "险种", "费款所属期", "单位部分", "个人部分"]


def ledger_xlsx(path: Path, rows: list[list]) -> Path:
    """The ledger as a township's office types it in Excel: text codes, amounts with commas."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "欠费台账"
    sheet.append(LEDGER_HEADERS)
    for row in rows:
        sheet.append(row)
    for cell in sheet["A"]:
        cell.number_format = "@"
    workbook.save(path)
    return path


def receipt_png() -> bytes:
    """A small scan of a signed 送达回证: a real PNG (the upload checks the content)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 232, 112), outline="black", width=2)
    draw.line((40, 80, 200, 70), fill="navy", width=3)  # the signature
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
