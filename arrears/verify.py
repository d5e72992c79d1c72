"""Compare the stored caches with a fresh derivation from history (DESIGN §3.1)."""

from datetime import date
from decimal import Decimal

from arrears.balances import balance_differences
from arrears.ledger import replay_enterprise
from arrears.models import Allocation, LedgerAccount, LedgerItem
from arrears.policy import current_policy, due_date_for


def enterprise_differences(enterprise_id: int, *, as_of: date, policy=None) -> list[str]:
    policy = policy or current_policy()
    derived = replay_enterprise(enterprise_id, as_of=as_of, policy=policy)
    problems = []
    due_dates: dict[date, date] = {}
    for item in LedgerItem.objects.filter(enterprise_id=enterprise_id):
        if not item.due_date_fixed:
            if item.period not in due_dates:
                due_dates[item.period] = due_date_for(item.period, policy)
            if item.due_date != due_dates[item.period]:
                problems.append(
                    f"enterprise {enterprise_id}, item {item.id} ({item.period:%Y-%m}): "
                    f"due_date stored {item.due_date}, derived {due_dates[item.period]}"
                )
        state = derived.items[item.id]
        for name, expected in (
            ("principal_paid", state.principal_paid),
            ("fee_paid", state.fee_paid),
            ("fee_accrued", state.fee_accrued),
        ):
            stored = getattr(item, name)
            if stored != expected:
                problems.append(
                    f"enterprise {enterprise_id}, item {item.id} ({item.period:%Y-%m}): "
                    f"{name} stored {stored}, derived {expected}"
                )
    stored_allocations = sorted(
        Allocation.objects.filter(payment__enterprise_id=enterprise_id).values_list(
            "payment_id", "item_id", "principal_amount", "fee_amount"
        )
    )
    if stored_allocations != sorted(derived.allocations):
        problems.append(f"enterprise {enterprise_id}: allocations differ from the replay")
    account = LedgerAccount.objects.filter(enterprise_id=enterprise_id).first()
    stored_credit = account.credit_balance if account else Decimal("0.00")
    if stored_credit != derived.credit:
        problems.append(
            f"enterprise {enterprise_id}: credit stored {stored_credit}, derived {derived.credit}"
        )
    return problems + balance_differences(enterprise_id, as_of=as_of)
