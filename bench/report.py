"""The monthly report for 50,000 enterprises (DESIGN §5: ≤ 30 s, peak memory ≤ 300 MB, openpyxl
write-only).

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/report.py [--enterprises 50000] [--check]

Builds the enterprises in ten townships of three task groups, twelve monthly items each
(2025-12 … 2026-11) in one SQL statement, a payment in November for every fifth enterprise
(with its allocation), their accounts (arrears.balances) and a case for every tenth. Then,
each in a fresh process so that peak memory is the report's own, times
`reports.monthly.build_monthly` for November 2026 as it runs (write-only workbook, rows
streamed from server-side cursors) and, as the baseline, the same report written into a
normal openpyxl workbook, which holds every cell in memory until it is saved.

`--check` runs on 2,000 enterprises and checks that the detail sheet lists every enterprise
that owes, that its totals and the recoveries equal what the database sums, and that both
workbooks hold the same figures; it writes no figures.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from common import ROOT, create_enterprises, insert_select, record, require, setup_django, stamp

FULL_ENTERPRISES, CHECK_ENTERPRISES = 50_000, 2_000
MONTH = date(2026, 11, 1)
AS_OF = date(2026, 11, 30)
TARGET_SECONDS, TARGET_MB = 30, 300


def build(enterprises: int) -> None:
    from django.db import connection
    from django.db.models.functions import Mod

    from arrears.balances import balances_refresh
    from arrears.models import Allocation, LedgerItem, Payment
    from core.models import User
    from enforcement.models import Case
    from enterprises.models import Enterprise, Region, TaskGroup

    create_enterprises(enterprises)
    groups = [TaskGroup.objects.create(name=f"基准第{n}组") for n in range(1, 4)]
    regions = [
        Region.objects.create(name=f"基准{n}镇", code=f"1{n:08d}", task_group=groups[n % 3])
        for n in range(10)
    ]
    table = Enterprise._meta.db_table
    with connection.cursor() as cursor:
        for n, region in enumerate(regions):
            cursor.execute(
                f'UPDATE "{table}" SET region_id = %s WHERE id %% 10 = %s', [region.pk, n]
            )
    insert_select(
        LedgerItem,
        {
            "enterprise_id": "e.id",
            "insurance_type": "'pension'",
            "period": "make_date(2025 + (m + 11) / 12, (m + 11) %% 12 + 1, 1)",
            "unit_amount": "round((500 + (e.id * 37 + m * 11) %% 4000)::numeric, 2)",
            "individual_amount": "round((250 + (e.id * 13 + m) %% 2000)::numeric, 2)",
            "due_date": "(make_date(2025 + (m + 12) / 12, (m + 12) %% 12 + 1, 1)"
            " + interval '1 month - 1 day')::date",
        },
        f'"{table}" e CROSS JOIN generate_series(0, 11) AS m',
        [],
    )
    items = LedgerItem._meta.db_table
    october = "i.period = DATE '2026-10-01' AND i.enterprise_id %% 5 = 0"
    insert_select(
        Payment,
        {
            "enterprise_id": "i.enterprise_id",
            "insurance_type": "'pension'",
            "amount": "i.unit_amount + i.individual_amount",
            "paid_on": "make_date(2026, 11, (1 + i.enterprise_id %% 20)::int)",
            "method": "(ARRAY['self', 'bank_transfer', 'court', 'other'])[(1 + i.enterprise_id %% 4)::int]",
            "external_ref": "'BENCH-' || i.id",
            "note": "''",
            "reversal_reason": "''",
        },
        f'"{items}" i WHERE {october}',
        [],
    )
    insert_select(
        Allocation,
        {
            "payment_id": "p.id",
            "item_id": "i.id",
            "principal_amount": "p.amount",
            "fee_amount": "0",
        },
        f'"{Payment._meta.db_table}" p JOIN "{items}" i ON i.enterprise_id = p.enterprise_id '
        f"AND i.period = DATE '2026-10-01'",
        [],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{items}" i SET principal_paid = i.unit_amount + i.individual_amount '
            f"WHERE {october.replace('%%', '%')}"
        )
        cursor.execute(f'VACUUM ANALYZE "{items}"')
    balances_refresh(as_of=AS_OF, lo=0, hi=2**31 - 1)
    user = User.objects.create(username="bench", full_name="基准")
    stages = ["opened", "demand", "rectification", "bank", "penalty", "court", "tracking"]
    group_of = dict(Region.objects.values_list("pk", "task_group_id"))
    cases = [
        Case(
            enterprise_id=pk,
            stage=stages[n % len(stages)],
            assigned_to=user,
            task_group_id=group_of[region_id],
            principal_at_opening=Decimal("0"),
            fee_at_opening=Decimal("0"),
            year=2026,
            number=n + 1,
            number_text=f"基准〔2026〕{n + 1}号",
        )
        for n, (pk, region_id) in enumerate(
            Enterprise.objects.alias(r=Mod("id", 10)).filter(r=0).values_list("pk", "region_id")
        )
    ]
    Case.objects.bulk_create(cases, batch_size=5000)


def child(mode: str, path: str) -> None:
    """Run in a subprocess: the report in one mode, and its own peak memory."""
    setup_django(fresh=False)
    from zoneinfo import ZoneInfo

    from openpyxl import Workbook

    import reports.monthly as monthly

    if mode == "normal":

        def normal_workbook():
            workbook = Workbook()  # the naive way: every cell kept until the save
            workbook.remove(workbook.active)
            return workbook

        monthly.new_workbook = normal_workbook
    taken_at = datetime(2026, 12, 1, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    started = time.perf_counter()
    content = monthly.build_monthly(month=MONTH, taken_at=taken_at)
    seconds = time.perf_counter() - started
    Path(path).write_bytes(content)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "bytes": len(content)}))


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


def _sheet_rows(path: Path, name: str) -> list:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    rows = []
    for row in workbook[name].iter_rows(min_row=4, values_only=True):
        row = list(row)
        while row and row[-1] is None:  # a normal workbook writes the merged cells' blanks
            row.pop()
        rows.append(row)
    workbook.close()
    return rows


def check(fast: Path, naive: Path, enterprises: int) -> None:
    from django.db.models import Sum

    from arrears.models import Allocation
    from reports.monthly import owing_accounts

    lines = _sheet_rows(fast, "欠费单位明细")
    end = next(i for i, r in enumerate(lines) if r[0] == "合计")
    detail, total = lines[:end], lines[end]
    owing = owing_accounts()
    require(len(detail) == owing.count(), f"{len(detail)} lines for {owing.count()} owing")
    require(owing.count() == enterprises, f"{owing.count()} of {enterprises} enterprises owe")
    expected = owing.aggregate(p=Sum("principal_outstanding"))["p"]
    require(Decimal(str(total[7])) == expected, f"detail total {total[7]} ≠ {expected}")
    summed = sum(Decimal(str(r[7])) for r in detail)
    require(summed == expected, f"detail lines sum to {summed}, database {expected}")
    recoveries = _sheet_rows(fast, "回收明细")
    paid = Allocation.objects.filter(payment__paid_on__gte=MONTH).aggregate(
        s=Sum("principal_amount")
    )
    recovered = next(r for r in recoveries if r[0] == "合计")[9]
    require(Decimal(str(recovered)) == paid["s"], f"recovered {recovered} ≠ {paid['s']}")
    for name in ("汇总", "分乡镇", "分工作组", "欠费单位明细", "回收明细", "案件进度"):
        a, b = _sheet_rows(fast, name), _sheet_rows(naive, name)
        differing = [(x, y) for x, y in zip(a, b, strict=False) if x != y]
        require(len(a) == len(b) and not differing, f"{name}: the two differ: {differing[:2]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--enterprises",
        type=int,
        help=f"enterprises (default {FULL_ENTERPRISES:,}, or {CHECK_ENTERPRISES:,} with --check)",
    )
    parser.add_argument(
        "--check", action="store_true", help="small run that checks its results, no figures"
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    enterprises = args.enterprises or (CHECK_ENTERPRISES if args.check else FULL_ENTERPRISES)
    setup_django()
    started = time.perf_counter()
    build(enterprises)
    built = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        fast_path, naive_path = Path(folder) / "fast.xlsx", Path(folder) / "naive.xlsx"
        fast = run_child("write_only", fast_path)
        naive = run_child("normal", naive_path)
        if args.check:
            check(fast_path, naive_path, enterprises)
            print(
                f"report --check: {enterprises:,} enterprises built in {built:.1f} s; write-only "
                f"{fast['seconds']:.2f} s, peak {fast['peak_mb']:.0f} MB, {fast['bytes']:,} bytes; "
                f"normal workbook {naive['seconds']:.2f} s, peak {naive['peak_mb']:.0f} MB; same figures."
            )
            return
    record(
        "Monthly report (bench/report.py)",
        [
            stamp(),
            "",
            f"- {enterprises:,} enterprises in 10 townships, {enterprises * 12:,} ledger items, "
            f"{enterprises // 5:,} payments in the month, {enterprises // 10:,} cases; data built in {built:.0f} s.",
            f"- `build_monthly` (six sheets, openpyxl write-only, rows streamed from server-side cursors): "
            f"**{fast['seconds']:.1f} s**, peak memory **{fast['peak_mb']:.0f} MB** (the whole process), "
            f"file {fast['bytes'] / 1024 / 1024:.1f} MB. Targets ≤ {TARGET_SECONDS} s, ≤ {TARGET_MB} MB.",
            f"- Baseline, the same report written into a normal openpyxl workbook: {naive['seconds']:.1f} s, "
            f"peak memory {naive['peak_mb']:.0f} MB.",
        ],
    )


if __name__ == "__main__":
    main()
