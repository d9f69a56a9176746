"""Registers the questions module with the core registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionsConfig(AppConfig):
    name = "modules.questions"
    label = "questions"
    verbose_name = _("Questions juridiques")

    def ready(self) -> None:
        from celery.schedules import crontab

        from core.modules.registry import MenuEntry, ModuleSpec, NotificationKind, Right, ScheduledJob, registry

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
                menu=(
                    MenuEntry(_("Questions juridiques"), "questions:list", "questions.use_questions"),
                    MenuEntry(_("Questions à traiter"), "questions:queue", "questions.work_questions"),
                ),
                # The asker is always told; other contacts choose, among those who may read every
                # question of the member (a contact never hears of a question they cannot open).
                notification_kinds=(
                    NotificationKind(
                        "questions.answered", _("Réponse à une question"), "questions.view_member_questions"
                    ),
                    NotificationKind(
                        "questions.info_requested",
                        _("Demande de précisions sur une question"),
                        "questions.view_member_questions",
                    ),
                ),
                scheduled_jobs=(
                    ScheduledJob("digest", "questions.digest", crontab(hour=7, minute=30, day_of_week="1-5")),
                ),
                member_card="questions/_member_card.html",
                settings_form="modules.questions.forms.QuestionsSettingsForm",
                settings_defaults={
                    "answer_delay_working_days": 5,
                    "alsace_moselle": False,
                    "attachment_max_mb": 10,
                    "attachment_max_count": 5,
                },
            )
        )
