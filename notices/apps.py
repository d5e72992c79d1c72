from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "文书"

    def ready(self):
        from core.audit_display import register_values
        from core.exports import register
        from notices import checks  # noqa: F401  (registers the font and HarfBuzz checks)
        from notices.exporters import DOCUMENTS
        from notices.models import ServiceMethod

        register(DOCUMENTS)
        # How the audit page words the copies of documents (notices.services.document_copy_log).
        register_values(
            ("pdf",),
            [
                ("view", "在线查看"),
                ("download", "下载"),
                ("receipt", "送达回证（空白）"),
                ("batch", "批量合并打印"),
            ],
        )
        register_values(("field",), [("account_number", "银行账号")])
        register_values(("service",), ServiceMethod.choices)
