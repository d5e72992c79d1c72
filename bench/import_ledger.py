"""Ledger import of 100,000 rows (DESIGN §5: ≤ 60 s, peak memory ≤ 500 MB, all-or-nothing).

    DATABASE_URL=postgres://… python bench/import_ledger.py [--rows 100000]

Writes a spreadsheet of 2,000 enterprises × 50 months, then, each in a fresh process so that
peak memory is the import's own: the importer (check, then write), and as the baseline the
naive way — openpyxl in normal mode and one ORM lookup and insert per row — on a sample.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, record, setup_django, stamp

ENTERPRISES = 2000
SAMPLE = 3000


def make_file(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    from enterprises.models import Enterprise

    codes = list(Enterprise.objects.order_by("pk").values_list("credit_code", "name"))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("欠费明细")
    sheet.append(["统一社会信用代码", "单位名称", "险种", "费款所属期", "单位部分", "个人部分"])
    for n in range(rows):
        code, name = codes[n % len(codes)]
        month = n // len(codes)
        sheet.append(
            [
                code,
                name,
                "养老",
                f"{2018 + month // 12}-{month % 12 + 1:02d}",
                f"{1000 + n % 977}.{n % 100:02d}",
                f"{500 + n % 311}.00",
            ]
        )
    workbook.save(path)


def create_enterprises() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO enterprises_region (name, code) VALUES ('基准镇', '000000000') RETURNING id"
        )
        region = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO enterprises_enterprise
                (credit_code, name, unit_number, region_id, industry, ownership, status, legal_representative,
                 legal_rep_id_number, phone, address, created_at, updated_at)
            SELECT '9114' || lpad(n::text, 13, '0') || 'X', '基准企业' || n, '', %s, 'C', 'limited', 'normal',
                   '', '', '', '', now(), now()
            FROM generate_series(1, %s) AS n
            """,
            [region, ENTERPRISES],
        )


def child(mode: str, path: str) -> None:
    """Run in a subprocess: the import (or the baseline) and its own peak memory."""
    setup_django(fresh=False)
    started = time.perf_counter()
    if mode == "import":
        from arrears.importers import parse_ledger_file
        from arrears.services import ledger_import

        parsed = parse_ledger_file(Path(path))
        checked = time.perf_counter() - started
        assert parsed.ok, parsed.messages()[:5]
        summary = ledger_import(actor=None, parsed=parsed, filename="bench.xlsx")
        result = {"rows": summary["rows"], "created": summary["created"], "checked": checked}
    else:
        from openpyxl import load_workbook

        from arrears.models import LedgerItem
        from enterprises.models import Enterprise

        sheet = load_workbook(path).active  # the naive way: the whole workbook in memory
        done = 0
        for code, _name, _kind, period, unit, individual in sheet.iter_rows(
            min_row=2, values_only=True
        ):
            enterprise = Enterprise.objects.get(credit_code=code)
            year, month = period.split("-")
            LedgerItem.objects.update_or_create(
                enterprise=enterprise,
                insurance_type="pension",
                period=f"{year}-{month}-01",
                defaults={
                    "unit_amount": unit,
                    "individual_amount": individual,
                    "due_date": f"{year}-{month}-28",
                },
            )
            done += 1
            if done == SAMPLE:
                break
        result = {"rows": done}
    result["seconds"] = time.perf_counter() - started
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run_child(mode: str, path: Path) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT / "bench",
    )
    if output.returncode:
        sys.exit(output.stderr[-3000:])
    return json.loads(output.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    setup_django()
    create_enterprises()
    path = ROOT / "var" / "bench-ledger.xlsx"
    path.parent.mkdir(exist_ok=True)
    started = time.perf_counter()
    make_file(path, args.rows)
    made = time.perf_counter() - started

    importer = run_child("import", path)
    from arrears.models import LedgerItem

    LedgerItem.objects.all().delete()
    baseline = run_child("naive", path)
    per_row = baseline["seconds"] / baseline["rows"]
    record(
        "Ledger import (bench/import_ledger.py)",
        [
            stamp(),
            "",
            f"- File: {args.rows:,} rows for {ENTERPRISES:,} enterprises, {path.stat().st_size / 1024 / 1024:.1f} MB, "
            f"written in {made:.0f} s.",
            f"- Importer (check every row, then write all in one transaction, fees accrued): **{importer['seconds']:.1f} s** "
            f"(check {importer['checked']:.1f} s), {importer['created']:,} items created, "
            f"peak memory **{importer['peak_mb']:.0f} MB**. Targets ≤ 60 s, ≤ 500 MB.",
            f"- Baseline, openpyxl in normal mode plus one ORM lookup and `update_or_create` per row, on {baseline['rows']:,} rows: "
            f"{per_row * 1000:.2f} ms a row, {per_row * args.rows:.0f} s extrapolated; peak memory {baseline['peak_mb']:.0f} MB "
            "(the whole workbook loaded).",
            f"- Speed-up: **{per_row * args.rows / importer['seconds']:.0f}×**.",
        ],
    )


if __name__ == "__main__":
    main()
