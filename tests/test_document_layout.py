"""The official documents' layout after GB/T 9704-2012 (DESIGN §3.8), read back from the PDF."""

import logging
import math
import re
from dataclasses import dataclass
from datetime import date
from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw
from pypdf import PdfReader
from weasyprint.formatting_structure.boxes import BlockBox, LineBox, TextBox

from notices.rendering import lay_out, render_pdf
from notices.services import document_issue
from tests.factories import EnterpriseFactory, LedgerItemFactory

MM = 72 / 25.4
PAGE_WIDTH = 210 * MM
TEXT_BLOCK_BOTTOM = (37 + 225) * MM  # from the top of the page
BINDING_EDGE, OUTER_EDGE = 28 * MM, 26 * MM
FALLBACK_PACKAGE = "fonts-hanazono"


@dataclass
class Run:
    text: str
    x: float  # pt from the left edge of the page
    y: float  # pt from the top of the page, at the baseline
    size: float  # pt


def _runs(page) -> list[Run]:
    height = float(page.mediabox.height)
    runs = []

    def visit(text, cm, tm, font, font_size):
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3])
        runs.append(Run(re.sub(r"\s+", "", text), x, height - y, font_size * scale))

    page.extract_text(visitor_text=visit)
    return runs


def _pages(pdf: bytes) -> list[list[Run]]:
    return [_runs(page) for page in PdfReader(BytesIO(pdf)).pages]


def _signature(pages, content) -> tuple[int, Run, Run]:
    """The page (from 0) with the office's name and the date under it, and those two runs."""
    for number, runs in enumerate(pages):
        names = [r for r in runs if r.text == content["office"]["name"]]
        dates = [r for r in runs if r.text == content["issued_on"]]
        if names and dates:
            return number, names[-1], dates[-1]
    raise AssertionError("no page carries the signature and the date")


def _with_rows(content: dict, count: int) -> dict:
    rows = (content["items"] * count)[:count]
    return {**content, "items": rows}


def _page_count(content: dict, rows: int) -> int:
    return len(lay_out(doc_type="deadline_notice", content=_with_rows(content, rows)).pages)


def _pdf(content: dict, doc_type="deadline_notice") -> bytes:
    return lay_out(doc_type=doc_type, content=content).write_pdf()


def test_the_date_and_the_seal_keep_the_last_lines_of_the_text_on_their_page(county):
    """GB/T 9704 §7.3.5: however long the ledger, the page with the date also carries lines of
    the text before it (at least the end of the 依据 paragraph), never the signature alone."""
    content = county.document.content
    assert content["legal_basis"], "the check reads the end of the 依据 paragraph"
    basis_end = content["legal_basis"][-1][-4:] + "。"
    # One ledger row more at a time until the document grows by a page; from there, with each
    # row more, the end of the page walks up through the note, the date, the name and the text.
    first = _page_count(content, 1)
    grown = next(count for count in range(2, 60) if _page_count(content, count) > first)
    for count in range(grown, grown + 9):
        pages = _pages(_pdf(_with_rows(content, count)))
        number, name, day = _signature(pages, content)
        above = [r for r in pages[number] if r.size == pytest.approx(16, abs=0.1) and r.y < name.y]
        text_above = "".join(r.text for r in above)
        assert len(above) >= 2 and text_above.endswith(basis_end), (count, text_above)
        assert name.y < day.y and number == len(pages) - 1


def test_a_table_row_is_never_cut_between_two_pages(county):
    """A row whose fee cell has two lines (the fee and the part above the principal) was cut at
    the page's end: its period on one page, its fee on the next. Whatever the number of rows,
    each page holds as many periods as fee notes."""
    note = "其中超过本金 1.00"
    content = county.document.content
    rows = [{**row, "fee_note": note} for row in content["items"]]
    period = re.compile(r"^\d{4}年\d{1,2}月养老")  # a row's first cells, read as one run
    for count in range(24, 34):
        pages = _pages(_pdf(_with_rows({**content, "items": rows}, count)))
        assert len(pages) >= 2
        for number, runs in enumerate(pages):
            periods = sum(1 for r in runs if period.match(r.text))
            notes = sum(1 for r in runs if r.text == re.sub(r"\s+", "", note))
            assert periods == notes, (count, number, periods, notes)


def test_page_numbers_alternate_right_and_left_in_14_pt(county):
    """§7.5: "— 1 —" in 4号 (14 pt), 7 mm under the text block, odd pages at the right, even
    pages at the left; the binding edge (28 mm) is on the left of odd pages, the right of even."""
    pages = _pages(_pdf(_with_rows(county.document.content, 40)))
    assert len(pages) >= 3
    for number, runs in enumerate(pages, start=1):
        [mark] = [r for r in runs if r.text == f"—{number}—"]
        assert mark.size == pytest.approx(14, abs=0.1)
        # The top of the dash, 0.293 em above the baseline in Noto Serif CJK: 7 mm down.
        assert mark.y - 0.293 * 14 == pytest.approx(TEXT_BLOCK_BOTTOM + 7 * MM, abs=1)
        left_of_text = min(r.x for r in runs if r is not mark)
        if number % 2:
            assert mark.x > PAGE_WIDTH / 2
            assert left_of_text == pytest.approx(BINDING_EDGE, abs=0.5)
        else:
            assert mark.x == pytest.approx(OUTER_EDGE + 14, abs=1)  # one character in
            assert left_of_text == pytest.approx(OUTER_EDGE, abs=0.5)


def _seal_png() -> bytes:
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((8, 8, 232, 232), outline=(220, 20, 30, 255), width=12)
    output = BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def _images(pdf: bytes) -> list[tuple[int, list[float]]]:
    """(page from 0, transformation) of each image drawn: its size and place on the page."""
    drawn = []
    for number, page in enumerate(PdfReader(BytesIO(pdf)).pages):
        xobjects = page["/Resources"].get("/XObject") or {}

        def visit(operator, arguments, cm, tm, number=number, xobjects=xobjects):
            if operator == b"Do" and xobjects[arguments[0]].get_object()["/Subtype"] == "/Image":
                drawn.append((number, list(cm)))

        page.extract_text(visitor_operand_before=visit)
    return drawn


def _text(pdf: bytes) -> str:
    return "".join(r.text for runs in _pages(pdf) for r in runs)


def test_the_seal_image_is_printed_over_the_name_and_the_date(county):
    name = default_storage.save("seals/seal.png", ContentFile(_seal_png()))
    content = county.document.content
    content = {**content, "office": {**content["office"], "seal_image": name}}
    pdf = _pdf(content)
    pages = _pages(pdf)
    number, office, day = _signature(pages, content)
    [(page, (width, _, _, height, left, bottom))] = _images(pdf)
    assert page == number
    assert width == pytest.approx(42 * MM, abs=0.5) and height == pytest.approx(42 * MM, abs=0.5)
    top = float(PdfReader(BytesIO(pdf)).pages[page].mediabox.height) - bottom - height
    # §7.3.5.1: the seal centred on the name, name and date below its centre, its top within
    # a line of the text above and not over it.
    name_width = 16 * len(content["office"]["name"])
    assert left + width / 2 == pytest.approx(office.x + name_width / 2, abs=1)
    assert left < day.x < left + width
    assert top + height / 2 < office.y < day.y < top + height
    last_line = max(r.y for r in pages[page] if r.size == pytest.approx(16, abs=0.1) and r.y < top)
    assert last_line + 3 < top < last_line + 28.9
    assert "印章" not in _text(pdf)


def test_without_a_seal_image_nothing_is_printed_where_the_seal_goes(county):
    pdf = render_pdf(county.document)
    assert _images(pdf) == []
    assert "印章" not in _text(pdf)


@pytest.mark.parametrize("name", ["seals/gone.png", "../../etc/passwd"])
def test_a_missing_seal_file_prints_the_document_without_it(county, caplog, name):
    content = county.document.content
    content = {**content, "office": {**content["office"], "seal_image": name}}
    with caplog.at_level(logging.WARNING, logger="notices.rendering"):
        pdf = _pdf(content)
    assert _images(pdf) == []
    assert county.document.number_text in _text(pdf)
    assert any(name in record.getMessage() for record in caplog.records)


def test_no_line_is_justified_by_widening_its_spaces(county):
    """WeasyPrint justifies by widening spaces only: a Chinese line with a figure in it
    ("截至 2026年…") got wide gaps around the figure. Body text is set flush left instead."""
    document = lay_out(doc_type="deadline_notice", content=county.document.content)
    boxes = [box for page in document.pages for box in page._page_box.descendants()]
    lines_with_spaces = [
        line
        for block in boxes
        if isinstance(block, BlockBox)
        for line in block.children[:-1]  # a paragraph's last line is never justified
        if isinstance(line, LineBox)
        and " " in "".join(t.text for t in line.descendants() if isinstance(t, TextBox))
    ]
    assert lines_with_spaces, "the document has no full line with a space to check"
    widened = [box.text for box in boxes if isinstance(box, TextBox) and box.justification_spacing]
    assert widened == []


def test_a_full_line_of_chinese_text_holds_28_characters(county):
    """§5.2.2: 28 characters a line, filling the text block (26 after the indent)."""
    content = county.document.content
    content = {**content, "legal_basis": ["国" * 100]}
    pages = _pages(_pdf(content))
    lines = [r.text for runs in pages for r in runs if r.text.startswith(("依据：国", "国国"))]
    assert [len(line) for line in lines[:3]] == [26, 28, 28]


def test_a_rare_character_prints_with_the_fallback_font(county):
    """𠀀 (U+20000, CJK Extension B) is not in Noto CJK: it needs the fallback font the set-up
    installs, else it prints as an empty box."""
    enterprise = EnterpriseFactory(region=county.region_a, name="壶关县𠀀机械厂")
    LedgerItemFactory(enterprise=enterprise, period=date(2025, 3, 1))
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=enterprise,
        render=False,
    )
    pdf = render_pdf(document)
    fonts = _fonts(pdf)
    assert any("HanaMin" in font for font in fonts), (
        f"嵌入的字体 {sorted(fonts)} 中没有生僻字备用字体 HanaMin。"
        f"请安装 {FALLBACK_PACKAGE}（apt-get install {FALLBACK_PACKAGE}，或运行 scripts/services.sh runtime）"
    )
    assert "𠀀" in _text(pdf)
    # Only the rare character: everything else stays in the document's own serif.
    assert any("Noto-Serif-CJK" in font for font in fonts)
    assert not any("HanaMin" in font for font in _fonts(render_pdf(county.document)))


def _fonts(pdf: bytes) -> set[str]:
    return {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }


def test_the_set_up_installs_the_fallback_font():
    root = settings.BASE_DIR
    for path in ("Dockerfile", "scripts/services.sh"):
        assert FALLBACK_PACKAGE in (root / path).read_text(), path
