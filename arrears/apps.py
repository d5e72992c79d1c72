from django.apps import AppConfig


class ArrearsConfig(AppConfig):
    name = "arrears"
    verbose_name = "欠费台账"

    def ready(self):
        from arrears.imports import LEDGER
        from core.hooks import on_calendar_change
        from core.imports import register

        register(LEDGER)
        on_calendar_change(_refresh_due_dates)

        from arrears.exporters import ARREARS, PAYMENTS
        from core.exports import register as register_export

        register_export(ARREARS)
        register_export(PAYMENTS)

        from arrears.models import InsuranceType, PaymentMethod
        from core.audit_display import register_values

        register_values(("method",), PaymentMethod.choices)
        register_values(("insurance_type",), InsuranceType.choices)


def _refresh_due_dates(*, year: int) -> None:
    from core.jobs import send_after_commit

    send_after_commit("arrears.tasks.refresh_due_dates", [year])
