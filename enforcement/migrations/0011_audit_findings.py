# The audit's findings in figures (issue 11 §7): the audited months, headcount and contribution
# base found against declared, and the contributions under-declared.
#
# Existing rows: every new column is nullable and they stay NULL. A record made before these
# columns holds its findings as text only, and no figure can be made up for it afterwards (a 0
# would state "nothing under-declared", which nobody found); "audit_findings_complete" lets a row
# have all the figures or none, and every record made from now on has all of them.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("enforcement", "0010_fine_court_application"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditrecord",
            name="period_from",
            field=models.DateField(blank=True, null=True, verbose_name="稽核起始月份"),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="period_to",
            field=models.DateField(blank=True, null=True, verbose_name="稽核截止月份"),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="headcount_found",
            field=models.IntegerField(blank=True, null=True, verbose_name="核实参保人数"),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="headcount_declared",
            field=models.IntegerField(blank=True, null=True, verbose_name="申报参保人数"),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="base_found",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=14,
                null=True,
                verbose_name="核实缴费基数（元）",
            ),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="base_declared",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=14,
                null=True,
                verbose_name="申报缴费基数（元）",
            ),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="shortfall",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=14,
                null=True,
                verbose_name="少缴金额（元）",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("base_declared__isnull", True),
                        ("base_found__isnull", True),
                        ("headcount_declared__isnull", True),
                        ("headcount_found__isnull", True),
                        ("period_from__isnull", True),
                        ("period_to__isnull", True),
                        ("shortfall__isnull", True),
                    ),
                    models.Q(
                        ("base_declared__isnull", False),
                        ("base_found__isnull", False),
                        ("headcount_declared__isnull", False),
                        ("headcount_found__isnull", False),
                        ("period_from__isnull", False),
                        ("period_to__isnull", False),
                        ("shortfall__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="audit_findings_complete",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(("period_from__lte", models.F("period_to"))),
                name="audit_period_in_order",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(("period_from__day", 1), ("period_to__day", 1)),
                name="audit_period_months",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("base_declared__gte", 0),
                    ("base_found__gte", 0),
                    ("headcount_declared__gte", 0),
                    ("headcount_found__gte", 0),
                    ("shortfall__gte", 0),
                ),
                name="audit_findings_non_negative",
            ),
        ),
    ]
