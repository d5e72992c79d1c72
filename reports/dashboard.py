"""One dashboard's figures, assembled from the selectors, drawn, and kept briefly in the cache:
twenty leaders opening it at nine o'clock run the aggregates and draw them once."""

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse

from core.money import WAN, round_fen
from reports import selectors
from reports.selectors import Scope


def wan(amount: Decimal) -> str:
    """Yuan as 万元 with two decimals, for chart geometry and labels only (figures in text are
    printed in yuan by the money filter)."""
    return str(round_fen(amount / WAN))


def _arrears(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items() if value not in ("", None))
    return reverse("arrears:overview") + (f"?{query}" if query else "")


def _cases(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items() if value not in ("", None))
    return reverse("enforcement:list") + (f"?{query}" if query else "")


DRAWN = "reports/_dashboard_figures.html"


def _code_version() -> str:
    """What computes and draws the cached figures, as a digest of its files: after an upgrade
    that changes them, figures cached by the version before are not served (they may lack a
    figure the new template shows, or show the old layout). Taken when the module is imported,
    as a worker starts (config/gunicorn.py), not later from files an upgrade may have replaced
    under a running worker."""
    digest = hashlib.sha256()
    for path in (__file__, selectors.__file__, settings.BASE_DIR / "templates" / DRAWN):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


CODE_VERSION = _code_version()


def figures(scope: Scope, *, day: date) -> dict:
    regions = ",".join(map(str, sorted(scope.region_ids)))
    key = f"dashboard:{CODE_VERSION}:{day.isoformat()}:{regions}"
    if scope.task_group is not None:
        key += f":g{scope.task_group.pk}"
    cached = cache.get(key) if settings.DASHBOARD_CACHE_SECONDS else None
    if cached is None:
        cached = _figures(scope, day=day)
        # Drawn here, once, and kept with the figures: the charts' data, the tables and their
        # links depend on nothing else, and drawing them was most of a cached dashboard's time.
        cached["body"] = render_to_string(
            DRAWN,
            {"f": cached, "growth_percent": settings.GROWTH_WARNING_PERCENT},
        )
        if settings.DASHBOARD_CACHE_SECONDS:
            cache.set(key, cached, settings.DASHBOARD_CACHE_SECONDS)
    return cached


def _figures(scope: Scope, *, day: date) -> dict:
    month, year = day.replace(day=1), date(day.year, 1, 1)
    group = scope.task_group.pk if scope.task_group else ""
    by_region = selectors.outstanding_by_region(scope)
    by_group = selectors.outstanding_by_group(scope)
    by_industry = selectors.outstanding_by_industry(scope)
    stages = selectors.cases_by_stage(scope)
    trend = selectors.recovery_trend(scope, as_of=day)
    rate = selectors.collection_rate(scope, year=day.year, as_of=day)
    ageing = selectors.ageing(scope)
    return {
        "scope": scope,
        "day": day,
        "outstanding": selectors.outstanding(scope),
        "month": selectors.recovered(scope, month, day),
        "year": selectors.recovered(scope, year, day),
        "target": selectors.target_progress(scope, year=day.year, as_of=day),
        "rate": rate,
        "stages": stages,
        "by_region": by_region,
        "by_group": by_group,
        "by_industry": by_industry,
        "ageing": ageing,
        "top": selectors.top_debtors(scope),
        "flagged": selectors.flagged_debtors(scope),
        "growth": selectors.growth_warnings(scope, as_of=day),
        "overdue": selectors.overdue_by_group(scope, day=day),
        "caseworkers": selectors.caseworker_figures(scope, day=day),
        "links": {
            "arrears": _arrears(task_group=group),
            "cases": _cases(group=group),
            "overdue": _cases(group=group, overdue="on"),
        },
        # What the charts draw, in 万元, each bar or slice with the list behind it.
        "charts": {
            "trend": {
                "months": [f"{m['month']:%Y-%m}" for m in trend],
                "principal": [wan(m["principal"]) for m in trend],
                "fee": [wan(m["fee"]) for m in trend],
            },
            "rate": {
                "months": [f"{m['period']:%Y-%m}" for m in rate["months"]],
                "rates": [str(round((m["rate"] or 0) * 100, 2)) for m in rate["months"]],
                "line": 90,
            },
            "funnel": [
                {
                    "name": s["label"],
                    "value": s["count"],
                    "url": _cases(stage=s["stage"], group=group),
                }
                for s in stages
            ],
            "regions": _bars(by_region, lambda r: _arrears(region=r["id"])),
            "groups": _bars(by_group, lambda r: _arrears(task_group=r["id"] or "")),
            "industries": _bars(
                by_industry,
                lambda r: reverse("enterprises:list") + f"?industry={r['id'] or ''}",
            ),
            "ageing": [{"name": a["label"], "value": wan(a["principal"])} for a in ageing],
        },
    }


def _bars(rows: list[dict], url) -> dict:
    return {
        "names": [r["name"] for r in rows],
        "values": [wan(r["principal"]) for r in rows],
        "urls": [url(r) for r in rows],
    }
