"""案号: every case gets a number per year; cases opened before are numbered in opening order,
and the counters continue from them."""

from django.db import migrations, models
from django.utils import timezone


def number_existing_cases(apps, schema_editor):
    Case = apps.get_model("enforcement", "Case")
    CaseCounter = apps.get_model("enforcement", "CaseCounter")
    CaseworkSettings = apps.get_model("enforcement", "CaseworkSettings")
    settings = CaseworkSettings.objects.filter(pk=1).first()
    code = settings.case_code if settings else "壶清欠"
    last = {}
    for case in Case.objects.order_by("opened_at", "pk"):
        year = timezone.localtime(case.opened_at).year  # the office's year, not UTC's
        last[year] = last.get(year, 0) + 1
        case.year, case.number = year, last[year]
        case.number_text = f"{code}〔{year}〕{last[year]}号"
        case.save(update_fields=["year", "number", "number_text"])
    CaseCounter.objects.bulk_create(
        CaseCounter(year=year, last_number=number) for year, number in last.items()
    )


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0008_penalty_settings_one_fine")]

    operations = [
        migrations.CreateModel(
            name="CaseCounter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(unique=True)),
                ("last_number", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name="caseworksettings",
            name="case_code",
            field=models.CharField(
                default="壶清欠",
                help_text="案号为 代字〔年度〕序号号，例如 壶清欠〔2026〕12号",
                max_length=20,
                verbose_name="案号代字",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="year",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="立案年度"),
        ),
        migrations.AddField(
            model_name="case",
            name="number",
            field=models.PositiveIntegerField(null=True, verbose_name="案件序号"),
        ),
        migrations.AddField(
            model_name="case",
            name="number_text",
            field=models.CharField(default="", max_length=40, verbose_name="案号"),
            preserve_default=False,
        ),
        migrations.RunPython(number_existing_cases, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="year",
            field=models.PositiveSmallIntegerField(verbose_name="立案年度"),
        ),
        migrations.AlterField(
            model_name="case",
            name="number",
            field=models.PositiveIntegerField(verbose_name="案件序号"),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(
                fields=("year", "number"), name="case_number_unique_per_year"
            ),
        ),
    ]
