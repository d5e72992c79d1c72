import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core import services
from core.models import User
from core.roles import ROLES, roles_problem


class Command(BaseCommand):
    help = (
        "新建一个用户并指定角色，例如部署后创建第一位系统管理员、安全管理员和审计管理员"
        "（不要用 createsuperuser：超级用户能看到全部案件）。--role 可重复给出多个业务角色；"
        "系统管理员、安全管理员、审计管理员只能单独担任（三员分立）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES, action="append")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--password", help="不给则交互输入")

    def handle(self, *args, username, role, full_name, password, **options):
        roles = list(dict.fromkeys(role))
        problem = roles_problem(roles)
        if problem:
            raise CommandError(problem)
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"用户 {username} 已存在")
        password = password or getpass.getpass("密码：")
        try:
            validate_password(password, User(username=username, full_name=full_name))
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        try:
            services.user_create(
                actor=None,
                username=username,
                full_name=full_name,
                phone="",
                roles=roles,
                password=password,
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stdout.write(f"created user {username} ({'、'.join(roles)})")
