"""Creates the six roles as groups with their capabilities.

A frozen copy of core.roles.ROLE_CAPABILITIES at the time of writing: later changes to roles
come as new migrations, so that every deployment ends in the same state.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CASEWORK = ["view_enterprises", "edit_enterprises", "export_data", "unmask_personal_data"]
ROLE_CAPABILITIES = {
    "经办人员": CASEWORK,
    "工作组组长": [*CASEWORK, "approve_actions"],
    "专班领导": [
        "view_enterprises",
        "view_all_regions",
        "export_data",
        "unmask_personal_data",
        "approve_actions",
        "approve_high_risk",
    ],
    "督查人员": ["view_enterprises", "view_all_regions", "export_data"],
    "系统管理员": ["manage_users", "manage_settings"],
    "审计管理员": ["view_audit_log"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups need them now.
    core_config = apps.get_app_config("core")
    core_config.models_module = True
    create_permissions(core_config, apps=apps, verbosity=0)
    core_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_CAPABILITIES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="core", codename__in=codenames)
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_CAPABILITIES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
