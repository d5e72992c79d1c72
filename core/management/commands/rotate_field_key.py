from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from core.field_keys import encrypted_columns, field_keys_rotate


class Command(BaseCommand):
    help = (
        "更换 FIELD_ENCRYPTION_KEY 后，用新密钥重新加密已存储的身份证号、银行账号等字段。"
        "先把新密钥设为 FIELD_ENCRYPTION_KEY、旧密钥移入 FIELD_ENCRYPTION_OLD_KEYS，再运行本命令；"
        "完成后（--check 显示 0）即可删除旧密钥。可重复运行，中断后再运行会接着完成。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="只统计尚未以当前密钥加密的数据，不写入；有则以状态 1 退出",
        )

    def handle(self, *args, check, **options):
        names = {
            column.label: f"{column.model._meta.verbose_name}·{column.field.verbose_name}"
            for column in encrypted_columns()
        }
        try:
            rotation = field_keys_rotate(write=not check)
        except ImproperlyConfigured as error:
            # A value under a key that is in neither setting: nothing of that batch was written.
            raise CommandError(
                f"{error} 请把加密时所用的旧密钥放入 FIELD_ENCRYPTION_OLD_KEYS。"
            ) from None
        except OperationalError as error:
            if "lock timeout" not in str(error):
                raise
            raise CommandError(
                "有数据正被其他操作占用，等待超时。请在无人办理业务时再运行本命令，"
                "已完成的部分不会重复。"
            ) from None
        verb = "尚未以当前密钥加密" if check else "已用当前密钥重新加密"
        for label, count in rotation.counts.items():
            self.stdout.write(f"{names[label]}：{verb} {count} 条")
        if rotation.conflicts:
            raise CommandError(
                "以下数据换用当前密钥后与同一单位已有的另一条相同，未能重新加密："
                + "；".join(rotation.conflicts)
                + "。请核对后删除重复的一条（银行账户：manage.py bank_account_remove_duplicate ID），"
                "再运行本命令。"
            )
        remaining = sum(rotation.counts.values())
        if check:
            if remaining:
                raise CommandError(
                    f"尚有 {remaining} 条数据未以当前密钥加密：请先运行 rotate_field_key。"
                )
            self.stdout.write("全部数据均以当前密钥加密。")
            if settings.FIELD_ENCRYPTION_OLD_KEYS:
                self.stdout.write("现在可以从 FIELD_ENCRYPTION_OLD_KEYS 中删除旧密钥。")
            return
        self.stdout.write(
            f"完成：共 {remaining} 条。运行 rotate_field_key --check 确认后，"
            "即可从 FIELD_ENCRYPTION_OLD_KEYS 中删除旧密钥。"
        )
