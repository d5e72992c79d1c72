"""Notice PDFs (DESIGN §5: one notice ≤ 0.5 s after warm-up; 200 notices merged ≤ 30 s).

    DATABASE_URL=postgres://… python bench/notice_pdfs.py

Baseline in the same run: the first notice of a fresh process, which pays for importing
WeasyPrint and loading the CJK fonts — what every notice would cost if a worker did not keep
them loaded.
"""

import statistics
import time
from datetime import date
from decimal import Decimal

from common import record, setup_django, stamp

COUNT = 200


def main():
    setup_django()
    started = time.perf_counter()
    from notices import rendering  # WeasyPrint and fontconfig load here, as in a worker at start

    imported = time.perf_counter() - started
    from arrears.models import LedgerItem
    from core.models import User
    from enterprises.models import Enterprise, Region
    from notices.services import document_issue, document_store_pdf

    region = Region.objects.create(name="基准镇")
    user = User.objects.create(username="bench")
    enterprises = [
        Enterprise(
            credit_code=f"9114{n:013d}X", name=f"壶关县基准第{n}机械制造有限公司", region=region
        )
        for n in range(COUNT)
    ]
    Enterprise.objects.bulk_create(enterprises)
    LedgerItem.objects.bulk_create(
        LedgerItem(
            enterprise=e,
            period=date(2025, m, 1),
            unit_amount=Decimal("3051.35"),
            individual_amount=Decimal("1525.68"),
            due_date=date(2025, m + 1, 28),
        )
        for e in Enterprise.objects.all()
        for m in range(1, 7)
    )
    documents = [
        document_issue(actor=user, doc_type="deadline_notice", enterprise=e, render=False)
        for e in Enterprise.objects.order_by("pk")
    ]

    started = time.perf_counter()
    rendering.render_pdf(documents[0])
    first = time.perf_counter() - started + imported
    singles = []
    for document in documents[1:11]:
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
        document_store_pdf(document=document, pdf=pdf)
        parts.append(pdf)
    concatenated = rendering.merge_pdfs(parts)
    naive_batch = time.perf_counter() - started
    record(
        "Notice PDFs (bench/notice_pdfs.py)",
        [
            stamp(),
            "",
            f"- One 限期补缴通知书 (6 months of arrears, 2 pages) after warm-up: median **{statistics.median(singles):.2f} s**, "
            f"slowest {max(singles):.2f} s of 10. Target ≤ 0.5 s.",
            f"- {COUNT} notices laid out and written as one PDF (fonts subset once): **{batch:.1f} s**, "
            f"{len(merged) / 1024 / 1024:.1f} MB. Target ≤ 30 s.",
            f"- Baseline for the batch, one PDF per notice concatenated with pypdf: {naive_batch:.1f} s, "
            f"{len(concatenated) / 1024 / 1024:.1f} MB (each file carries its own font subset).",
            f"- Baseline, the first notice of a fresh process (importing WeasyPrint, loading fonts): {first:.2f} s.",
        ],
    )


if __name__ == "__main__":
    main()
