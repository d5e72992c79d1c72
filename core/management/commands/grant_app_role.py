from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.db_roles import ensure_role, grant_app_privileges


class Command(BaseCommand):
    help = (
        "给应用数据库角色授权（在每次 migrate 之后、以所有者角色运行）：读写业务表，"
        "审计日志只能追加。--create 在角色不存在时创建它。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", default=settings.DATABASE_APP_ROLE, help="应用角色名")
        parser.add_argument("--create", action="store_true", help="角色不存在时创建")

    def handle(self, *args, role, create=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("数据库角色分离只适用于 PostgreSQL；演示用的 SQLite 没有角色。")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            if cursor.fetchone()[0] == role:
                raise CommandError(f"请以数据库所有者角色运行，而不是应用角色 {role}。")
        if create:
            ensure_role(connection, role)
        grant_app_privileges(connection, role)
        self.stdout.write(f"已为应用角色 {role} 授权。")
