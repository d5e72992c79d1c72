from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = "企业名册"

    def ready(self):
        from core.imports import register, register_colleagues, register_region_scope
        from enterprises.imports import ENTERPRISES, allowed_region_ids, colleagues

        register(ENTERPRISES)
        register_region_scope(allowed_region_ids)
        register_colleagues(colleagues)

        from core.exports import register as register_export
        from enterprises.exporters import ENTERPRISES as ENTERPRISE_EXPORT

        register_export(ENTERPRISE_EXPORT)
