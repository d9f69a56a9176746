"""Legal questions of members, the exchange that answers them, their files and their themes.

A question moves through four statuses (see `workflow.py`); its answer is due a number of working
days after it is received, and the clock stops while the jurist waits for the member.
"""

import posixpath

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Theme(models.Model):
    """A theme members choose when asking (Contrat de travail, Paie...), ordered by the organisation."""

    name = models.CharField(_("nom"), max_length=120)
    position = models.PositiveIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("proposé aux adhérents"), default=True)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("thème")
        # Case-insensitive, as the service checks: two administrators racing cannot both win.
        constraints = [models.UniqueConstraint(Lower("name"), name="question_theme_name_unique")]

    def __str__(self) -> str:
        return self.name


class SubTheme(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="sub_themes")
    name = models.CharField(_("nom"), max_length=120)
    position = models.PositiveIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("proposé aux adhérents"), default=True)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("sous-thème")
        constraints = [models.UniqueConstraint("theme", Lower("name"), name="question_subtheme_name_unique")]

    def __str__(self) -> str:
        return self.name


class QuestionStatus(models.TextChoices):
    NEW = "new", _("À traiter")
    IN_PROGRESS = "in_progress", _("En cours")
    WAITING = "waiting_member", _("Attente réponse adhérent")
    ANSWERED = "answered", _("Traitée")


OPEN_STATUSES = (QuestionStatus.NEW, QuestionStatus.IN_PROGRESS, QuestionStatus.WAITING)


class CallbackSlot(models.TextChoices):
    ANY = "any", _("Indifférent")
    MORNING = "morning", _("Le matin (9 h - 12 h)")
    AFTERNOON = "afternoon", _("L'après-midi (14 h - 18 h)")


def question_pdf_name(question: "Question", filename: str) -> str:
    return f"questions/{question.pk}/{posixpath.basename(filename)}"


class Question(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="questions")
    # Kept when the person leaves or is erased (RGPD): the member keeps its questions.
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="questions_asked"
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="questions")
    sub_theme = models.ForeignKey(SubTheme, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    subject = models.CharField(_("sujet"), max_length=200)
    body = models.TextField(_("description détaillée"))
    status = models.CharField(_("statut"), max_length=20, choices=QuestionStatus.choices, default=QuestionStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions_assigned"
    )
    received_at = models.DateTimeField(_("reçue le"))
    updated_at = models.DateTimeField(_("mise à jour le"))
    # The day an answer is due (Europe/Paris). While the member is awaited the clock stops:
    # `paused_days` keeps the working days that were left, given back when the member answers.
    due_on = models.DateField(_("réponse attendue le"))
    paused_days = models.IntegerField(null=True, blank=True)
    first_answered_at = models.DateTimeField(_("première réponse le"), null=True, blank=True)
    answered_on_time = models.BooleanField(null=True, blank=True)
    closed_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    # Callback by phone within two working days, when the member asks for it.
    callback_phone = models.CharField(_("téléphone de rappel"), max_length=30, blank=True)
    callback_slot = models.CharField(_("moment préféré"), max_length=20, choices=CallbackSlot.choices, blank=True)
    callback_due_at = models.DateTimeField(_("rappel attendu avant"), null=True, blank=True)
    callback_done_at = models.DateTimeField(_("rappelé le"), null=True, blank=True)
    callback_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Every change bumps the revision; the stored PDF is the print of one revision.
    revision = models.PositiveIntegerField(default=1)
    pdf = models.FileField(upload_to=question_pdf_name, max_length=200, blank=True)
    pdf_revision = models.PositiveIntegerField(null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("question juridique")
        indexes = [
            models.Index(fields=["member", "-received_at"], name="question_member_idx"),
            models.Index(fields=["member", "asked_by", "-received_at"], name="question_asker_idx"),
            models.Index(fields=["status", "due_on"], name="question_queue_idx"),
            models.Index(
                fields=["callback_due_at"],
                name="question_callback_idx",
                condition=models.Q(callback_due_at__isnull=False, callback_done_at__isnull=True),
            ),
            GinIndex(fields=["search_vector"], name="question_search_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        """The number members quote when they follow a question up."""
        return f"Q{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def callback_requested(self) -> bool:
        return self.callback_due_at is not None


class MessageKind(models.TextChoices):
    ANSWER = "answer", _("Réponse")
    INFO_REQUEST = "info_request", _("Demande de précisions")
    MEMBER_REPLY = "member_reply", _("Complément de l'adhérent")
    CLOSING = "closing", _("Clôture")
    REOPENING = "reopening", _("Réouverture")


STAFF_MESSAGE_KINDS = (MessageKind.ANSWER, MessageKind.INFO_REQUEST, MessageKind.CLOSING, MessageKind.REOPENING)


class Message(models.Model):
    """One turn of the exchange after the question. Jurists' bodies are sanitised HTML; members'
    are plain text, escaped when shown."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("type"), max_length=20, choices=MessageKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("le"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.question_id})"

    @property
    def from_staff(self) -> bool:
        return self.kind in STAFF_MESSAGE_KINDS

    @property
    def is_html(self) -> bool:
        return self.from_staff


def attachment_storage_name(attachment: "Attachment", filename: str) -> str:
    """`questions/<question id>/<server-generated name>` in the organisation's own folder."""
    return f"questions/{attachment.question_id}/{posixpath.basename(filename)}"


class Attachment(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="attachments")
    # None: sent with the question itself.
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    file = models.FileField(upload_to=attachment_storage_name, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("taille"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("ajoutée le"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("pièce jointe")

    def __str__(self) -> str:
        return self.original_name


class DigestSent(models.Model):
    """The jurists' daily digest of a day was sent: a restarted or repeated job sends it once."""

    day = models.DateField(unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.day.isoformat()
