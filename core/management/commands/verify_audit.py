from django.core.management.base import BaseCommand, CommandError

from core.audit_chain import seal_audit, verify_chain


class Command(BaseCommand):
    help = (
        "核验审计日志的哈希链：逐条重算哈希，发现删除、篡改或插入的日志即报错（退出码非零）。"
        "先将已提交但尚未入链的日志入链。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-seal", action="store_true", help="只核验，不先将未入链的日志入链")

    def handle(self, *args, no_seal=False, **options):
        if not no_seal:
            seal_audit()
        result = verify_chain()
        for problem in result["problems"]:
            self.stderr.write(problem)
        if result["problems"]:
            raise CommandError(
                f"审计日志哈希链核验未通过：已核验 {result['checked']} 条，"
                f"发现 {len(result['problems'])} 处问题。"
            )
        self.stdout.write(
            f"审计日志哈希链完整：已核验 {result['checked']} 条，未入链 {result['unsealed']} 条。"
        )
