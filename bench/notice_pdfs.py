"""Notice PDFs (DESIGN §5: one notice ≤ 0.5 s after warm-up; 200 notices merged ≤ 30 s).

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/notice_pdfs.py [--notices 200] [--check]

Baseline in the same run: the first notice of a fresh process, which pays for importing
WeasyPrint and loading the CJK fonts — what every notice would cost if a worker did not keep
them loaded.

`--check` renders 3 notices, checks that the merged PDF has exactly the pages of the notices
rendered one by one and that every notice got its file, and writes no figures.
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import date
from decimal import Decimal
from io import BytesIO

from common import create_enterprises, record, require, setup_django, stamp

FULL_NOTICES, CHECK_NOTICES = 200, 3
MONTHS_OF_ARREARS = 6
WARM_SINGLES = 10


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--notices",
        type=int,
        help=f"notices to issue (default {FULL_NOTICES}, or {CHECK_NOTICES} with --check)",
    )
    parser.add_argument(
        "--check", action="store_true", help="small run that checks its results, no figures"
    )
    args = parser.parse_args()
    count = args.notices or (CHECK_NOTICES if args.check else FULL_NOTICES)
    if count < 2:
        parser.error("--notices must be at least 2: the first is the cold start, not timed warm")
    # The baseline stores a PDF per notice: in a scratch folder, not the media of a dev setup.
    with tempfile.TemporaryDirectory() as media:
        os.environ["MEDIA_ROOT"] = media
        run(count, check=args.check)


def run(count: int, *, check: bool) -> None:
    setup_django()
    started = time.perf_counter()
    from notices import rendering  # WeasyPrint and fontconfig load here, as in a worker at start

    imported = time.perf_counter() - started
    from arrears.models import LedgerItem
    from core.models import User
    from enterprises.models import Enterprise
    from notices.models import Document
    from notices.services import document_issue, document_store_pdf

    user = User.objects.create(username="bench")
    create_enterprises(count, name_format="壶关县基准第{n}机械制造有限公司")
    LedgerItem.objects.bulk_create(
        LedgerItem(
            enterprise=e,
            period=date(2025, m, 1),
            unit_amount=Decimal("3051.35"),
            individual_amount=Decimal("1525.68"),
            due_date=date(2025, m + 1, 28),
        )
        for e in Enterprise.objects.all()
        for m in range(1, MONTHS_OF_ARREARS + 1)
    )
    documents = [
        document_issue(actor=user, doc_type="deadline_notice", enterprise=e, render=False)
        for e in Enterprise.objects.order_by("pk")
    ]

    started = time.perf_counter()
    first_pdf = rendering.render_pdf(documents[0])
    first = time.perf_counter() - started + imported
    singles = []
    for document in documents[1 : WARM_SINGLES + 1]:
        started = time.perf_counter()
        rendering.render_pdf(document)
        singles.append(time.perf_counter() - started)

    started = time.perf_counter()
    merged = rendering.render_merged_pdf(documents)
    batch = time.perf_counter() - started

    # Baseline for the batch: a PDF per document, stored, then the files concatenated.
    started = time.perf_counter()
    parts = []
    for document in documents:
        pdf = rendering.render_pdf(document)
        document_store_pdf(document=document, pdf=pdf, rendered_voided=document.is_voided)
        parts.append(pdf)
    concatenated = rendering.merge_pdfs(parts)
    naive_batch = time.perf_counter() - started

    if check:
        pages_each = [page_count(part) for part in parts]
        require(len(documents) == count, f"{len(documents)} notices issued of {count}")
        require(all(pages_each), "a notice rendered to an empty PDF")
        require(
            page_count(merged) == sum(pages_each),
            f"merged PDF has {page_count(merged)} pages, the notices one by one {sum(pages_each)}",
        )
        require(
            page_count(concatenated) == sum(pages_each),
            "the concatenated PDF lost or gained pages",
        )
        without_file = Document.objects.filter(pdf="").count()
        require(not without_file, f"{without_file} notices without a stored PDF")
        print(
            f"notice_pdfs --check: {count} notices, {sum(pages_each)} pages; first {first:.2f} s, "
            f"warm median {statistics.median(singles):.2f} s; merged {batch:.1f} s, "
            f"one by one and concatenated {naive_batch:.1f} s; same pages."
        )
        return
    record(
        "Notice PDFs (bench/notice_pdfs.py)",
        [
            stamp(),
            "",
            f"- One 限期补缴通知书 ({MONTHS_OF_ARREARS} months of arrears, {page_count(first_pdf)} pages) after warm-up: "
            f"median **{statistics.median(singles):.2f} s**, slowest {max(singles):.2f} s of {len(singles)}. "
            "Target ≤ 0.5 s.",
            f"- {count} notices laid out and written as one PDF (fonts subset once): **{batch:.1f} s**, "
            f"{len(merged) / 1024 / 1024:.1f} MB. Target ≤ 30 s.",
            f"- Baseline for the batch, one PDF per notice concatenated with pypdf: {naive_batch:.1f} s, "
            f"{len(concatenated) / 1024 / 1024:.1f} MB (each file carries its own font subset).",
            f"- Baseline, the first notice of a fresh process (importing WeasyPrint, loading fonts): {first:.2f} s.",
        ],
    )


if __name__ == "__main__":
    main()
