from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "文书"

    def ready(self):
        from notices import checks  # noqa: F401  (registers the font and HarfBuzz checks)
