"""Leaders steer from the dashboard, supervisors and the task force export the reports, the
task force sets the targets (a frozen copy of core.roles at the time of writing)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "view_dashboard": ["工作组组长", "专班领导"],
    "view_reports": ["专班领导", "督查人员"],
    "manage_targets": ["专班领导"],
}


def grant(apps, schema_editor):
    core_config = apps.get_app_config("core")
    core_config.models_module = True
    create_permissions(core_config, apps=apps, verbosity=0)
    core_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for codename, roles in GRANTS.items():
        permission = Permission.objects.get(content_type__app_label="core", codename=codename)
        for group in Group.objects.filter(name__in=roles):
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("core", "0012_capability_dashboard_reports")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
