"""Registers the questions module with the core registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionsConfig(AppConfig):
    name = "modules.questions"
    label = "questions"
    verbose_name = _("Questions juridiques")

    def ready(self) -> None:
        from core.modules.registry import MenuEntry, ModuleSpec, NotificationKind, Right, registry

        registry.register(
            ModuleSpec(
                key="questions",
                label=_("Questions juridiques"),
                description=_("Posez vos questions juridiques et suivez les réponses de nos juristes."),
                urls="modules.questions.urls",
                api_urls="modules.questions.api.urls",
                rights=(
                    Right("questions.ask_question", _("Poser des questions juridiques")),
                    Right("questions.view_member_questions", _("Voir toutes les questions de l'adhérent")),
                ),
                menu=(MenuEntry(_("Questions"), "questions:home"),),
                notification_kinds=(
                    NotificationKind("questions.answered", _("Réponse à une question"), "questions.ask_question"),
                    NotificationKind(
                        "questions.info_requested",
                        _("Demande de précisions sur une question"),
                        "questions.ask_question",
                    ),
                ),
                settings_form="modules.questions.forms.QuestionsSettingsForm",
                settings_defaults={"answer_delay_working_days": 5, "alsace_moselle": False},
            )
        )
