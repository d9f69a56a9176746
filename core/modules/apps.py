from django.apps import AppConfig


class ModulesConfig(AppConfig):
    name = "core.modules"
    label = "modules"
    verbose_name = "Modules"
