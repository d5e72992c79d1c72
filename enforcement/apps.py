from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = "清欠案件"

    def ready(self):
        from arrears.hooks import on_ledger_change
        from enforcement.classification import reclassify_after_change
        from enforcement.services import case_close_if_paid

        on_ledger_change(case_close_if_paid)
        on_ledger_change(reclassify_after_change)

        from enforcement.services import case_for_standalone_notice, case_takes_standalone_notice
        from notices.hooks import on_document_issue

        on_document_issue(before=case_takes_standalone_notice, after=case_for_standalone_notice)

        from core.imports import register
        from enforcement.imports import EVIDENCE, TAX

        register(EVIDENCE)
        register(TAX)

        from core.exports import register as register_export
        from enforcement.exporters import CASES

        register_export(CASES)

        from core.audit_display import register_values
        from enforcement.stages import Stage

        register_values(("from", "to"), Stage.choices)
