"""Registers the questions module with the core registry."""

from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "modules.questions"
    label = "questions"
    verbose_name = "Questions juridiques"

    def ready(self) -> None:
        from core.modules.registry import MenuEntry, ModuleSpec, registry

        registry.register(
            ModuleSpec(
                key="questions",
                label="Questions juridiques",
                description="Posez vos questions juridiques et suivez les réponses de nos juristes.",
                urls="modules.questions.urls",
                api_urls="modules.questions.api.urls",
                menu=(MenuEntry("Questions", "questions:home"),),
                settings_form="modules.questions.forms.QuestionsSettingsForm",
                settings_defaults={"answer_delay_working_days": 5, "alsace_moselle": False},
            )
        )
