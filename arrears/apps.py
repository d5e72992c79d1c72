from django.apps import AppConfig


class ArrearsConfig(AppConfig):
    name = "arrears"
    verbose_name = "欠费台账"

    def ready(self):
        from arrears.imports import LEDGER
        from core.imports import register

        register(LEDGER)
