from datetime import date
from decimal import Decimal

from django.db import migrations


def create_policy(apps, schema_editor):
    # DESIGN §3.2 defaults: 0.0005 a day from 2011-07-01, the rest from the model's defaults.
    Policy = apps.get_model("arrears", "LateFeePolicy")
    Rate = apps.get_model("arrears", "LateFeeRate")
    policy, _ = Policy.objects.get_or_create(pk=1)
    Rate.objects.get_or_create(
        policy=policy, effective_from=date(2011, 7, 1), defaults={"daily_rate": Decimal("0.0005")}
    )


class Migration(migrations.Migration):
    dependencies = [("arrears", "0001_initial")]

    operations = [migrations.RunPython(create_policy, migrations.RunPython.noop)]
