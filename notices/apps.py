from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "文书"

    def ready(self):
        from core.exports import register
        from notices import checks  # noqa: F401  (registers the font and HarfBuzz checks)
        from notices.exporters import DOCUMENTS

        register(DOCUMENTS)
