"""Ability to pay (DESIGN §3.6), as a pure function with the reason written out in Chinese.

- any evidence (wages, tax, housing fund, current contributions) during the arrears period
  → able to pay (重点清欠对象);
- none, and the enterprise is shut down, dormant or in bankruptcy → unable (跟踪关注对象);
- otherwise → to verify (待核实).
"""

from dataclasses import dataclass
from datetime import date

from enterprises.models import AbilityClass, EnterpriseStatus, EvidenceKind

INACTIVE = {
    EnterpriseStatus.SUSPENDED,
    EnterpriseStatus.DORMANT,
    EnterpriseStatus.BANKRUPTCY_ACCEPTED,
    EnterpriseStatus.BANKRUPT,
    EnterpriseStatus.DEREGISTERED,
    EnterpriseStatus.MISSING,
}


@dataclass(frozen=True)
class Classification:
    ability: str
    reason: str


def _index(month: date) -> int:
    return month.year * 12 + month.month - 1


def _runs(months: list[date]) -> list[tuple[date, date]]:
    """Consecutive months as (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for month in sorted(set(months)):
        if runs and _index(month) == _index(runs[-1][1]) + 1:
            runs[-1] = (runs[-1][0], month)
        else:
            runs.append((month, month))
    return runs


def _describe(first: date, last: date) -> str:
    if first == last:
        return f"{first.year}年{first.month}月"
    if first.year == last.year:
        return f"{first.year}年{first.month}月至{last.month}月"
    return f"{first.year}年{first.month}月至{last.year}年{last.month}月"


def classify(
    *, status: str, evidence: dict[str, list[date]], arrears_months: list[date]
) -> Classification:
    if not arrears_months:
        return Classification(AbilityClass.TO_VERIFY, "没有欠费期间，无需分类")
    start, end = min(arrears_months), max(arrears_months)
    parts = []
    for kind, label in EvidenceKind.choices:
        during = [m for m in evidence.get(kind, []) if start <= m <= end]
        if during:
            parts.append("、".join(_describe(*run) for run in _runs(during)) + label)
    if parts:
        return Classification(AbilityClass.ABLE, "，".join(parts))
    period = _describe(start, end)
    if status in INACTIVE:
        return Classification(
            AbilityClass.UNABLE,
            f"欠费期间（{period}）无工资、税款、公积金记录，企业{EnterpriseStatus(status).label}",
        )
    return Classification(
        AbilityClass.TO_VERIFY,
        f"欠费期间（{period}）无工资、税款、公积金记录，企业仍登记为正常经营，需实地核实",
    )
