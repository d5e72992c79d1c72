from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from enterprises.models import BankAccount
from enterprises.services import bank_account_remove_duplicate


class Command(BaseCommand):
    help = (
        "删除同一单位重复录入的银行账户（账号相同的两条中的一条），供更换加密密钥时 "
        "rotate_field_key 报出的重复数据使用；另一条保留，两条中有基本账户的，保留的一条仍为基本账户。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "account_id", type=int, help="要删除的银行账户 id（rotate_field_key 所报）"
        )

    def handle(self, *args, account_id, **options):
        try:
            removed = bank_account_remove_duplicate(actor=None, account_id=account_id)
        except BankAccount.DoesNotExist:
            raise CommandError(f"没有 id 为 {account_id} 的银行账户。") from None
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stdout.write(
            f"已删除 {removed.enterprise}（{removed.enterprise.credit_code}）重复的银行账户 "
            f"id={account_id}。"
        )
