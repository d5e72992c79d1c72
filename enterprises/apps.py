from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = "企业名册"
