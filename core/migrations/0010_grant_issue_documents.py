from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ["经办人员", "工作组组长"]


def grant(apps, schema_editor):
    core_config = apps.get_app_config("core")
    core_config.models_module = True
    create_permissions(core_config, apps=apps, verbosity=0)
    core_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="core", codename="issue_documents")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_capability_issue_documents")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
