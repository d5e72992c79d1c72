from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "基础"

    def ready(self):
        from core.exporters import AUDIT_LOG
        from core.exports import register

        register(AUDIT_LOG)
