"""Migration arrears.0004 carries existing rows into the scoped, per-fund ledger (docs/ledger.md)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.db_roles import grant_app_privileges
from tests.conftest import as_owner
from tests.factories import make_uscc

BEFORE = [("arrears", "0003_principal_paid_check")]
AFTER = [("arrears", "0004_ledger_law")]


@pytest.fixture
def executor():
    # Migrations are the owner's work; the tables they create again get the application
    # role's grants, as `manage.py grant_app_role` gives them after every migrate.
    with as_owner():
        executor = MigrationExecutor(connection)
        yield executor
        # Whatever happened, the schema is left as the rest of the suite expects it.
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
        grant_app_privileges(connection, settings.DATABASE_APP_ROLE)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_rows_are_carried_over(executor):
    executor.migrate(BEFORE)
    # Every other app as it is now, arrears just before 0004.
    others = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] != "arrears"]
    old = executor.loader.project_state(BEFORE + others).apps
    user = old.get_model("core", "User").objects.create(username="jingban-migration")
    leader = old.get_model("core", "User").objects.create(username="zuzhang-migration")
    region = old.get_model("enterprises", "Region").objects.create(name="迁移镇")
    enterprise = old.get_model("enterprises", "Enterprise").objects.create(
        credit_code=make_uscc(9001), name="迁移测试有限公司", region=region
    )
    Item = old.get_model("arrears", "LedgerItem")
    pension = Item.objects.create(
        enterprise=enterprise,
        period=date(2026, 9, 1),
        unit_amount=D("1000"),
        individual_amount=D("0"),
        due_date=date(2026, 10, 31),  # the rule's day then (a Saturday)
    )
    stated = Item.objects.create(
        enterprise=enterprise,
        insurance_type="unemployment",
        period=date(2026, 8, 1),
        unit_amount=D("500"),
        individual_amount=D("0"),
        due_date=date(2026, 9, 15),  # not the rule's day: given by an import
    )
    Payment = old.get_model("arrears", "Payment")
    to_unemployment = Payment.objects.create(
        enterprise=enterprise, amount=D("100"), paid_on=date(2026, 11, 1), external_ref="U"
    )
    old.get_model("arrears", "Allocation").objects.create(
        payment=to_unemployment, item=stated, principal_amount=D("100")
    )
    unallocated = Payment.objects.create(
        enterprise=enterprise, amount=D("5"), paid_on=date(2026, 11, 2), external_ref="C"
    )
    Suspension = old.get_model("arrears", "Suspension")
    common = {
        "enterprise": enterprise,
        "reason": "r",
        "document": "d",
        "requested_by": user,
        "status": "approved",
        "decided_by": leader,
    }
    bankruptcy = Suspension.objects.create(kind="bankruptcy", start=date(2026, 6, 15), **common)
    deferral = Suspension.objects.create(
        kind="deferral", start=date(2026, 7, 1), end=date(2026, 12, 31), **common
    )
    waiver = Suspension.objects.create(kind="waiver", start=date(2026, 1, 1), **common)
    adjustment = old.get_model("arrears", "LedgerAdjustment").objects.create(
        item=pension,
        unit_before=D("1200"),
        individual_before=D("0"),
        unit_after=D("1000"),
        individual_after=D("0"),
        reason="旧调整",
        created_by=user,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER + others).apps
    Suspension = new.get_model("arrears", "Suspension")
    assert Suspension.objects.get(pk=bankruptcy.pk).due_before == date(2026, 6, 15)
    assert Suspension.objects.get(pk=deferral.pk).due_before == date(2026, 7, 1)
    assert Suspension.objects.get(pk=waiver.pk).kind == "waiver"  # kept on record
    Payment = new.get_model("arrears", "Payment")
    assert Payment.objects.get(pk=to_unemployment.pk).insurance_type == "unemployment"
    assert Payment.objects.get(pk=unallocated.pk).insurance_type == "pension"
    status = new.get_model("arrears", "LedgerAdjustment").objects.get(pk=adjustment.pk).status
    assert status == "legacy"
    Item = new.get_model("arrears", "LedgerItem")
    assert Item.objects.get(pk=pension.pk).due_date_fixed is False  # follows the rule: moves
    assert Item.objects.get(pk=stated.pk).due_date_fixed is True
    assert new.get_model("arrears", "LateFeePolicy").objects.get(pk=1).count_payment_day is True
