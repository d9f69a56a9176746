"""Serializers of the questions API: they type the input and shape the output; services check and write.

A body naming a field the caller may not set (`member`, `asked_by`, `status`, `due_on`, or any
unknown name) is refused with a 400 naming each field, never silently applied or dropped.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.access.api.serializers import StrictInputMixin

from ..models import CallbackSlot, QuestionStatus
from ..selectors import SORTS, QuestionFilters
from ..workflow import CLOCK_RUNNING, TRANSITIONS, allowed_actions

WORK = "questions.work_questions"
# Database ids are 32-bit: a larger number in a filter would be an error, not an empty answer.
ID_MAX = 2**31 - 1


def _absolute(request, name: str, **kwargs) -> str:
    path = reverse(f"api-questions:{name}", kwargs=kwargs)
    return request.build_absolute_uri(path) if request is not None else path


def _person(user) -> str | None:
    """How a person is named to others: their name, or their e-mail when they gave none."""
    return str(user) if user is not None else None


# Errors -------------------------------------------------------------------------------------


class QuestionErrorSerializer(serializers.Serializer):
    """The shape of every refusal (400, 403, 404, 409, 413): French message and per-field messages."""

    code = serializers.CharField(help_text=gettext_lazy("Code stable : invalid, not_found, transition_not_allowed…"))
    message = serializers.CharField(help_text=gettext_lazy("Message en français pour l'utilisateur."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("Messages par champ (nom du champ → liste de messages)."),
    )


# Input --------------------------------------------------------------------------------------


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "binary"}})
class AttachmentsField(serializers.ListField):
    """Files sent as repeated `attachments` parts; their type, size and count are checked by the service."""

    # Empty files pass here so that the service refuses them with its own French message.
    child = serializers.FileField(allow_empty_file=True, use_url=False)

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", list)
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Pièces jointes (PDF, Office, images, texte), type vérifié sur le contenu ; multipart seulement."
            ),
        )
        super().__init__(**kwargs)


class QuestionCreateSerializer(StrictInputMixin, serializers.Serializer):
    """A member's new question."""

    theme = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text=gettext_lazy("Thème actif."))
    sub_theme = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, allow_null=True, help_text=gettext_lazy("Sous-thème du thème.")
    )
    subject = serializers.CharField(max_length=200, allow_blank=True, trim_whitespace=False)
    body = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text=gettext_lazy("Texte brut."))
    callback_phone = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Être rappelé sous 48 h ouvrées à ce numéro."),
    )
    callback_slot = serializers.ChoiceField(choices=CallbackSlot.choices, required=False, allow_blank=True, default="")
    attachments = AttachmentsField()


class MessageInputSerializer(StrictInputMixin, serializers.Serializer):
    """A message with files: the member's reply (plain text) or the jurist's answer or request
    (HTML, sanitised to an allowlist)."""

    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    attachments = AttachmentsField()


class NoteSerializer(StrictInputMixin, serializers.Serializer):
    """An optional note the member sees when the question is closed or reopened (HTML, sanitised)."""

    note = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)


class AssignSerializer(StrictInputMixin, serializers.Serializer):
    assignee = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, help_text=gettext_lazy("Identifiant d'un juriste ou administrateur actif.")
    )


class EmptyInputSerializer(StrictInputMixin, serializers.Serializer):
    """No field: any key sent is refused."""


STATUS_VALUES = tuple(QuestionStatus.values)
SORT_VALUES = tuple(key for name in SORTS for key in (name, f"-{name}"))


class QuestionFilterSerializer(serializers.Serializer):
    """The query string of the question list, turned into `selectors.QuestionFilters`."""

    status = serializers.ListField(child=serializers.CharField(), required=False)
    theme = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    received_from = serializers.DateField(required=False, input_formats=["iso-8601"])
    received_to = serializers.DateField(required=False, input_formats=["iso-8601"])
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    ordering = serializers.ChoiceField(choices=SORT_VALUES, required=False)
    assignee = serializers.RegexField(r"^(me|none|[1-9][0-9]{0,9})$", required=False)
    due = serializers.ChoiceField(choices=("late", "soon"), required=False)
    member = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)

    def to_internal_value(self, data):
        # `status` is repeated (?status=a&status=b) or comma-separated (?status=a,b).
        values = data.getlist("status") if hasattr(data, "getlist") else data.get("status") or []
        statuses = [value.strip() for item in values for value in str(item).split(",") if value.strip()]
        unknown = [value for value in statuses if value not in STATUS_VALUES]
        if unknown:
            message = _("Statut inconnu : %(values)s. Valeurs possibles : %(allowed)s.") % {
                "values": ", ".join(unknown),
                "allowed": ", ".join(STATUS_VALUES),
            }
            raise serializers.ValidationError({"status": [message]})
        plain = {key: data.get(key) for key in data if key != "status"}
        if statuses:
            plain["status"] = statuses
        return super().to_internal_value(plain)

    def validate(self, attrs):
        start, end = attrs.get("received_from"), attrs.get("received_to")
        if start and end and start > end:
            raise serializers.ValidationError({"received_to": [_("La date de fin doit suivre la date de début.")]})
        return attrs

    def filters(self) -> QuestionFilters:
        data = self.validated_data
        return QuestionFilters(
            status=data.get("status", []),
            theme_id=data.get("theme"),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            search=data.get("q", ""),
            sort=data.get("ordering", "-received"),
            assignee=data.get("assignee", ""),
            due=data.get("due", ""),
            member_id=data.get("member"),
        )


class StatisticsQuerySerializer(serializers.Serializer):
    months = serializers.IntegerField(min_value=1, max_value=36, required=False, default=12)


# Output -------------------------------------------------------------------------------------


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return _person(user)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    size = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Taille en octets."))
    content_type = serializers.CharField(read_only=True, help_text=gettext_lazy("Type lu dans le contenu."))
    created_at = serializers.DateTimeField(read_only=True)
    url = serializers.SerializerMethodField(help_text=gettext_lazy("Téléchargement autorisé (pièce jointe)."))

    def get_url(self, attachment) -> str:
        return _absolute(self.context.get("request"), "attachment-detail", attachment_id=attachment.pk)


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(
        read_only=True, help_text=gettext_lazy("answer, info_request, member_reply, closing ou reopening.")
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    author = serializers.SerializerMethodField()
    is_staff = serializers.BooleanField(source="from_staff", read_only=True)
    body = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy(
            "Messages de l'équipe (is_staff) : HTML nettoyé (liste blanche nh3), affichable tel quel. "
            "Messages de l'adhérent : texte brut, à échapper."
        ),
    )
    body_format = serializers.SerializerMethodField(help_text=gettext_lazy("html ou text."))
    created_at = serializers.DateTimeField(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    def get_author(self, message) -> str | None:
        return _person(message.author)

    def get_body_format(self, message) -> str:
        return "html" if message.is_html else "text"


class QuestionListSerializer(serializers.Serializer):
    """A row of the history or the queue; `late` and `due_soon` are flags of the queue."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True, help_text=gettext_lazy("Numéro à rappeler, ex. Q000042."))
    subject = serializers.CharField(read_only=True)
    member = NamedSerializer(read_only=True)
    theme = NamedSerializer(read_only=True)
    sub_theme = NamedSerializer(read_only=True, allow_null=True)
    status = serializers.CharField(
        read_only=True, help_text=gettext_lazy("new, in_progress, waiting_member ou answered.")
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    received_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    due_on = serializers.DateField(read_only=True, help_text=gettext_lazy("Réponse attendue le (Europe/Paris)."))
    paused = serializers.SerializerMethodField(help_text=gettext_lazy("Délai suspendu : l'adhérent est attendu."))
    late = serializers.SerializerMethodField()
    due_soon = serializers.SerializerMethodField()
    asked_by = serializers.SerializerMethodField()
    assignee = PersonSerializer(read_only=True, allow_null=True)
    callback_requested = serializers.BooleanField(read_only=True)

    def get_paused(self, question) -> bool:
        return question.paused_days is not None

    def get_late(self, question) -> bool:
        return question.status in CLOCK_RUNNING and question.due_on < self.context["today"]

    def get_due_soon(self, question) -> bool:
        today = self.context["today"]
        return question.status in CLOCK_RUNNING and self.context["clock"].is_due_soon(question.due_on, today)

    def get_asked_by(self, question) -> str | None:
        return _person(question.asked_by)


class CallbackSerializer(serializers.Serializer):
    phone = serializers.CharField(source="callback_phone", read_only=True)
    slot = serializers.CharField(
        source="callback_slot", read_only=True, help_text=gettext_lazy("any, morning ou afternoon.")
    )
    slot_label = serializers.CharField(source="get_callback_slot_display", read_only=True)
    due_at = serializers.DateTimeField(source="callback_due_at", read_only=True)
    done_at = serializers.DateTimeField(source="callback_done_at", read_only=True, allow_null=True)


class QuestionDetailSerializer(QuestionListSerializer):
    """A question with its exchange, files, printable PDF and what the caller may do now."""

    body = serializers.CharField(read_only=True, help_text=gettext_lazy("Texte brut de l'adhérent."))
    paused_days = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("Jours ouvrés restants, gardés pendant l'attente (négatif : en retard d'autant)."),
    )
    first_answered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    answered_on_time = serializers.BooleanField(read_only=True, allow_null=True)
    callback = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(source="question_attachments", many=True, read_only=True)
    messages = MessageSerializer(many=True, read_only=True)
    pdf_url = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Ce que l'appelant peut faire maintenant : reply (adhérent) ; assign, request_info, answer, "
            "close, reopen, callback_done (équipe)."
        )
    )

    @extend_schema_field(CallbackSerializer(allow_null=True))
    def get_callback(self, question):
        return CallbackSerializer(question).data if question.callback_requested else None

    def get_pdf_url(self, question) -> str:
        return _absolute(self.context.get("request"), "question-pdf", question_id=question.pk)

    def get_actions(self, question) -> list[str]:
        user = self.context["request"].user
        if user.has_perm(WORK):
            actions = sorted(allowed_actions(question.status) - {"member_reply"})
            if question.callback_requested and question.callback_done_at is None:
                actions.append("callback_done")
            return actions
        if question.status in TRANSITIONS["member_reply"] and user.has_perm("questions.ask_question", question.member):
            return ["reply"]
        return []


class SubThemeSerializer(NamedSerializer):
    is_active = serializers.BooleanField(read_only=True)


class ThemeSerializer(NamedSerializer):
    is_active = serializers.BooleanField(read_only=True)
    sub_themes = SubThemeSerializer(many=True, read_only=True)


class CallbackRowSerializer(QuestionListSerializer):
    """A callback to make, with its 48-hour deadline."""

    callback = CallbackSerializer(source="*", read_only=True)
    callback_late = serializers.SerializerMethodField(help_text=gettext_lazy("Échéance du rappel dépassée."))

    def get_callback_late(self, question) -> bool:
        return question.callback_due_at < self.context["now"]


class ThemeStatisticsSerializer(serializers.Serializer):
    name = serializers.CharField()
    counts = serializers.ListField(child=serializers.IntegerField(), help_text=gettext_lazy("Une valeur par mois."))
    total = serializers.IntegerField()


class StatisticsSerializer(serializers.Serializer):
    months = serializers.SerializerMethodField(help_text=gettext_lazy("Mois couverts, du plus ancien : AAAA-MM."))
    themes = ThemeStatisticsSerializer(many=True)
    monthly_totals = serializers.ListField(child=serializers.IntegerField())
    total = serializers.IntegerField()
    answered = serializers.IntegerField(help_text=gettext_lazy("Questions de la période ayant reçu une réponse."))
    answered_on_time = serializers.IntegerField()
    on_time_share = serializers.FloatField(
        allow_null=True, help_text=gettext_lazy("Part répondue dans le délai (0 à 1).")
    )
    median_answer_hours = serializers.FloatField(allow_null=True)

    def get_months(self, statistics) -> list[str]:
        return [month.strftime("%Y-%m") for month in statistics.months]
