"""The demo county's ledger: about 36 months of arrears for part of the enterprises, partial
payments, a bankrupt enterprise with its suspension, and two old state-owned enterprises with
arrears from before 2011. Deterministic for a seed; loading twice adds nothing."""

import random
from datetime import date, timedelta
from decimal import Decimal

from arrears.accrual import accrue_all
from arrears.models import LedgerItem, Payment, PaymentMethod, Suspension, SuspensionKind
from arrears.policy import current_policy, due_date_for
from arrears.services import enterprise_rebuild, payment_post, suspension_decide
from core.calendar import add_months
from core.dates import today
from core.locks import operations_transaction
from core.models import User
from core.money import round_fen
from enterprises.models import Enterprise, EnterpriseStatus, Ownership

UNIT_RATE, INDIVIDUAL_RATE = Decimal("0.16"), Decimal("0.08")


def _month(first: date, offset: int) -> date:
    return add_months(first, offset)


def _items_for(enterprise: Enterprise, periods: list[date], wage: Decimal, share: Decimal, policy):
    # Enterprises in arrears usually declare a part of their staff, at a low base.
    base = wage * (enterprise.headcount or 5) * share
    return [
        LedgerItem(
            enterprise=enterprise,
            period=p,
            unit_amount=round_fen(base * UNIT_RATE),
            individual_amount=round_fen(base * INDIVIDUAL_RATE),
            due_date=due_date_for(p, policy),
        )
        for p in periods
    ]


def seed_ledger(*, months: int, seed: int) -> dict:
    # One transaction for the whole step, in which each payment keeps the lock order alone.
    with operations_transaction():
        return _seed_ledger(months=months, seed=seed)


def _seed_ledger(*, months: int, seed: int) -> dict:
    rng = random.Random(seed + 1)
    policy = current_policy()
    now = today()
    last_period = _month(date(now.year, now.month, 1), -2)  # due last month at the latest
    first_period = _month(last_period, -(months - 1))
    enterprises = list(Enterprise.objects.order_by("credit_code"))
    leader = User.objects.get(username="lingdao")
    caseworker = User.objects.get(username="jingban")

    plans = []  # (enterprise, periods, wage, unpaid share) drawn before anything is written
    for enterprise in enterprises:
        if enterprise.status in (EnterpriseStatus.DEREGISTERED,) or rng.random() > 0.4:
            continue
        start = rng.randrange(0, months - 3)
        length = rng.randrange(3, months - start + 1)
        periods = [_month(first_period, start + n) for n in range(length)]
        share = Decimal(rng.randrange(8, 40)) / 100
        plans.append((enterprise, periods, Decimal(rng.randrange(3000, 4500)), share))
    planned = {e.pk for e, *_ in plans}
    soes = [e for e in enterprises if e.status == EnterpriseStatus.NORMAL and e.pk not in planned][
        :2
    ]
    for enterprise in soes:  # old state-owned enterprises with arrears from 2009 to 2012
        plans.append(
            (
                enterprise,
                [_month(date(2009, 1, 1), n) for n in range(48)],
                Decimal("1800"),
                Decimal("0.3"),
            )
        )

    created = 0
    for enterprise, periods, wage, share in plans:
        if LedgerItem.objects.filter(enterprise=enterprise).exists():
            continue
        if enterprise in soes:
            enterprise.ownership = Ownership.STATE
            enterprise.save(update_fields=["ownership"])
        LedgerItem.objects.bulk_create(_items_for(enterprise, periods, wage, share, policy))
        created += len(periods)

    payments = 0
    for index, (enterprise, periods, _, _) in enumerate(plans):
        if rng.random() < 0.35:
            for n in range(rng.randrange(1, 4)):
                paid_on = min(
                    now - timedelta(days=1), periods[0] + timedelta(days=70 + rng.randrange(0, 500))
                )
                amount = Decimal(rng.randrange(1000, 30000))
                method = PaymentMethod.BANK_TRANSFER if rng.random() < 0.2 else PaymentMethod.SELF
                reference = f"DEMO-{index:03d}-{n}"
                # Seeding again adds nothing, even with other options (another amount for the
                # same reference would be refused as a mistake).
                if Payment.objects.filter(enterprise=enterprise, external_ref=reference).exists():
                    continue
                _, new = payment_post(
                    actor=caseworker,
                    enterprise=enterprise,
                    amount=amount,
                    paid_on=paid_on,
                    method=method,
                    external_ref=reference,
                )
                payments += new

    bankrupt = next(
        (e for e, *_ in plans if e.status == EnterpriseStatus.BANKRUPTCY_ACCEPTED), None
    )
    if (
        bankrupt
        and not Suspension.objects.filter(
            enterprise=bankrupt, kind=SuspensionKind.BANKRUPTCY
        ).exists()
    ):
        suspension = Suspension.objects.create(
            enterprise=bankrupt,
            kind=SuspensionKind.BANKRUPTCY,
            start=bankrupt.bankruptcy_accepted_on,
            due_before=bankrupt.bankruptcy_accepted_on,
            reason="法院受理破产申请",
            document=f"（{bankrupt.bankruptcy_accepted_on.year}）晋0427破申1号",
            requested_by=caseworker,
        )
        suspension_decide(actor=leader, suspension=suspension, approve=True, comment="依法停止计收")

    for enterprise, *_ in plans:
        enterprise_rebuild(enterprise_id=enterprise.pk)
    accrue_all(as_of=now)
    return {
        "items_created": created,
        "payments_created": payments,
        "enterprises_in_arrears": len(plans),
    }
