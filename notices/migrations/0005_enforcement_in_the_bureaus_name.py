"""The enforcement unit signs in the bureau's name, as its seal already was (行政处罚法 第二十条):
an installation still carrying the first default is moved to it; one set by hand is left."""

from django.db import migrations

OLD = "壶关县人力资源和社会保障局劳动保障监察大队"
NEW = "壶关县人力资源和社会保障局"


def sign_as_the_bureau(apps, schema_editor):
    IssuingBody = apps.get_model("notices", "IssuingBody")
    IssuingBody.objects.filter(kind="enforcement", name=OLD, seal_name=NEW).update(
        name=NEW, self_reference="本局"
    )


class Migration(migrations.Migration):
    dependencies = [("notices", "0004_service_attempts_consent")]

    operations = [migrations.RunPython(sign_as_the_bureau, migrations.RunPython.noop)]
