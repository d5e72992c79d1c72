import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core import services
from core.models import User
from core.roles import ROLES


class Command(BaseCommand):
    help = "新建一个用户并指定角色，例如部署后创建第一位系统管理员（不要用 createsuperuser：超级用户能看到全部案件）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument("--full-name", default="")
        parser.add_argument("--password", help="不给则交互输入")

    def handle(self, *args, username, role, full_name, password, **options):
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"用户 {username} 已存在")
        password = password or getpass.getpass("密码：")
        try:
            validate_password(password, User(username=username, full_name=full_name))
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        services.user_create(
            actor=None,
            username=username,
            full_name=full_name,
            phone="",
            role=role,
            password=password,
        )
        self.stdout.write(f"created user {username} ({role})")
