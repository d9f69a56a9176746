"""Questions API: the member's questions and replies, the jurists' work, files, themes and figures.

Questions come from `question_search` / `access_question`, so a person sees only their active
member's questions they may see, and another member's or organisation's id answers the same 404
as a missing one. Changes go through the services: their refusals become the structured 400/409
of `core.web.api_errors`. Bodies with files are refused from their declared length before a byte
is read, and a file past the organisation's size limit is dropped while it is being read.
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from core.documents.checks import too_large_message, upload_refusal
from core.documents.uploads import file_download, upload_cut_short, upload_limit

from ..models import Question, QuestionStatus, Theme
from ..policy import attachment_limits, questions_clock
from ..selectors import (
    SORTS,
    access_attachment,
    access_question,
    callback_list,
    question_search,
    question_workers,
    theme_choices,
)
from ..services import (
    callback_done,
    question_answer,
    question_assign,
    question_close,
    question_info_request,
    question_reopen,
    question_reply,
    question_submit,
)
from ..statistics import question_statistics
from ..views.files import attachments_limit, question_pdf_download
from .serializers import (
    AssignSerializer,
    CallbackRowSerializer,
    EmptyInputSerializer,
    MessageInputSerializer,
    NoteSerializer,
    QuestionCreateSerializer,
    QuestionDetailSerializer,
    QuestionErrorSerializer,
    QuestionFilterSerializer,
    QuestionListSerializer,
    StatisticsQuerySerializer,
    StatisticsSerializer,
    ThemeSerializer,
)

ASK = "questions.ask_question"
WORK = "questions.work_questions"


def _require(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _require_questions_side(request) -> None:
    """The module's reader: staff who work the questions, or a person holding a questions right on
    the active member (the history page's rule)."""
    user = request.user
    if not (user.has_perm(WORK) or user.has_perm("questions.use_questions")):
        raise PermissionDenied


# Schema pieces -------------------------------------------------------------------------------

ERROR = QuestionErrorSerializer
DETAIL = QuestionDetailSerializer


def _errors(*codes: int) -> dict:
    descriptions = {
        400: "Données refusées (message et erreurs par champ, en français).",
        403: "Droit manquant.",
        404: "Introuvable, ou pas accessible à l'appelant (même réponse).",
        409: "Action impossible depuis le statut actuel (code transition_not_allowed).",
        413: "Envoi plus gros que les pièces jointes permises.",
    }
    return {code: OpenApiResponse(ERROR, description=descriptions[code]) for code in codes}


def _with_files(serializer) -> dict:
    return {"multipart/form-data": serializer, "application/json": serializer}


def _action_schema(operation_id: str, summary: str, *, request, files: bool = False, description: str | None = None):
    """The OpenAPI description of a POST on one question, answered with the question as it is now."""
    codes = (400, 403, 404, 409, 413) if files else (400, 403, 404, 409)
    return extend_schema_view(
        post=extend_schema(
            operation_id=operation_id,
            summary=summary,
            description=description,
            request=_with_files(request) if files else request,
            responses={200: DETAIL, **_errors(*codes)},
        )
    )


FILTER_PARAMETERS = [
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        many=True,
        enum=QuestionStatus.values,
        description="Statut ; répétable ou séparé par des virgules.",
    ),
    OpenApiParameter("theme", OpenApiTypes.INT, description="Thème."),
    OpenApiParameter("received_from", OpenApiTypes.DATE, description="Reçues à partir du (AAAA-MM-JJ)."),
    OpenApiParameter("received_to", OpenApiTypes.DATE, description="Reçues jusqu'au (AAAA-MM-JJ)."),
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="Recherche plein texte en français (sujet, question, échange)."
    ),
    OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        enum=[key for name in SORTS for key in (name, f"-{name}")],
        description="Tri ; « - » pour l'ordre décroissant. Par défaut : -received (pertinence avec q).",
    ),
    OpenApiParameter("assignee", OpenApiTypes.STR, description="Équipe : me, none ou identifiant du juriste."),
    OpenApiParameter("due", OpenApiTypes.STR, enum=["late", "soon"], description="Équipe : en retard ou bientôt dues."),
    OpenApiParameter("member", OpenApiTypes.INT, description="Équipe : identifiant de l'adhérent."),
]


# Base views ----------------------------------------------------------------------------------


class QuestionsAPIView(GenericAPIView):
    """Common ground: the size limits in place before anything reads the body, and question access."""

    queryset = Question.objects.none()
    serializer_class = DETAIL
    # Views that take `attachments`: their bodies may hold that many files of the allowed size.
    accepts_files = False

    def initial(self, request, *args, **kwargs):
        # Before authentication: the session's CSRF check already parses a form body.
        if request.method == "POST":
            if self.accepts_files:
                attachments_limit(request._request)
            else:  # no file expected: the room of the text fields only
                upload_limit(request._request, max_size=0, max_count=0)
        super().initial(request, *args, **kwargs)

    def payload(self, request):
        """The parsed body; a file the size limit dropped is a 400 on `attachments`."""
        data = request.data  # parsing is what drops the file
        if upload_cut_short(request._request):
            raise upload_refusal(too_large_message(attachment_limits().max_size), field="attachments")
        return data

    def question(self, *, with_exchange: bool = False) -> Question:
        return access_question(
            actor=self.request.user, question_id=self.kwargs["question_id"], with_exchange=with_exchange
        )

    def question_response(self, question_id: int, *, code: int = status.HTTP_200_OK) -> Response:
        """The question as the caller now sees it, read again with its whole exchange."""
        question = access_question(actor=self.request.user, question_id=question_id, with_exchange=True)
        return Response(DETAIL(question, context=self.get_serializer_context()).data, status=code)


class QueueContextMixin:
    """The day and the organisation's clock, read once for all the rows (late and due-soon flags)."""

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context.update(today=timezone.localdate(), now=timezone.now(), clock=questions_clock())
        return context


class QuestionActionView(QueueContextMixin, QuestionsAPIView):
    """A POST on one question: the question first (404 when not visible), then the caller's right,
    the input, the service; the answer is the question as it is now."""

    input_serializer = EmptyInputSerializer

    def allowed(self, question: Question) -> bool:
        """A jurist's action unless said otherwise."""
        return self.request.user.has_perm(WORK)

    def perform(self, question: Question, data: dict) -> None:
        """The action itself, through its service."""
        raise NotImplementedError

    def post(self, request, question_id: int):
        question = self.question()
        if not self.allowed(question):
            raise PermissionDenied
        serializer = self.input_serializer(data=self.payload(request))
        serializer.is_valid(raise_exception=True)
        self.perform(question, serializer.validated_data)
        return self.question_response(question.pk)


class DownloadView(QuestionsAPIView):
    def perform_content_negotiation(self, request, force=False):
        # A client asking for the file's type (Accept: application/pdf) must get it, not a 406.
        return super().perform_content_negotiation(request, force=True)


# Questions -----------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="questions_list",
        summary="Questions visibles par l'appelant : filtres, tri et recherche plein texte",
        description=(
            "Un adhérent voit les questions qu'il a posées pour l'adhérent actif, ou toutes celles de "
            "l'adhérent avec le droit « Voir toutes les questions de l'adhérent » ; l'équipe les voit toutes."
        ),
        parameters=FILTER_PARAMETERS,
        responses={200: QuestionListSerializer(many=True), **_errors(400, 403)},
    ),
    post=extend_schema(
        operation_id="questions_create",
        summary="Poser une question (pièces jointes en multipart, champ attachments répété)",
        request=_with_files(QuestionCreateSerializer),
        responses={201: DETAIL, **_errors(400, 403, 413)},
    ),
)
class QuestionListView(QueueContextMixin, ListModelMixin, QuestionsAPIView):
    accepts_files = True

    def get_serializer_class(self):
        return QuestionCreateSerializer if self.request.method == "POST" else QuestionListSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Question.objects.none()
        params = QuestionFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return question_search(actor=self.request.user, filters=params.filters())

    def get(self, request):
        _require_questions_side(request)
        return self.list(request)

    def post(self, request):
        member = request.active_member
        if member is None:
            raise PermissionDenied
        _require(request, ASK, member)
        serializer = QuestionCreateSerializer(data=self.payload(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        question = question_submit(
            actor=request.user,
            member=member,
            theme_id=data["theme"],
            sub_theme_id=data.get("sub_theme"),
            subject=data["subject"],
            body=data["body"],
            attachments=data["attachments"],
            callback_phone=data["callback_phone"],
            callback_slot=data["callback_slot"],
        )
        response = self.question_response(question.pk, code=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            reverse("api-questions:question-detail", kwargs={"question_id": question.pk})
        )
        return response


@extend_schema_view(
    get=extend_schema(
        operation_id="questions_retrieve",
        summary="Une question, son échange, ses pièces jointes et les actions possibles",
        responses={200: DETAIL, **_errors(404)},
    )
)
class QuestionDetailView(QueueContextMixin, QuestionsAPIView):
    def get(self, request, question_id: int):
        return Response(self.get_serializer(self.question(with_exchange=True)).data)


@_action_schema(
    "questions_reply",
    "Compléter sa question (adhérent) ; répondre à une demande de précisions relance le délai",
    description="Texte brut. Une question traitée a son fil clos : 409.",
    request=MessageInputSerializer,
    files=True,
)
class QuestionReplyView(QuestionActionView):
    accepts_files = True
    input_serializer = MessageInputSerializer

    def allowed(self, question):
        return self.request.user.has_perm(ASK, question.member)

    def perform(self, question, data):
        question_reply(actor=self.request.user, question=question, **data)


@_action_schema(
    "questions_assign",
    "Attribuer la question à soi ou à un collègue (équipe) ; une question à traiter passe en cours",
    request=AssignSerializer,
)
class QuestionAssignView(QuestionActionView):
    input_serializer = AssignSerializer

    def perform(self, question, data):
        # Anyone but an active jurist or administrator is refused by the service, in French.
        assignee = question_workers().filter(pk=data["assignee"]).first()
        question_assign(actor=self.request.user, question=question, assignee=assignee)


@_action_schema(
    "questions_answer",
    "Répondre (équipe) : la question est traitée et l'adhérent prévenu par e-mail",
    description="Texte riche : le HTML est nettoyé (liste blanche).",
    request=MessageInputSerializer,
    files=True,
)
class QuestionAnswerView(QuestionActionView):
    accepts_files = True
    input_serializer = MessageInputSerializer

    def perform(self, question, data):
        question_answer(actor=self.request.user, question=question, **data)


@_action_schema(
    "questions_info_request",
    "Demander des précisions à l'adhérent (équipe) : le délai est suspendu jusqu'à sa réponse",
    description="Texte riche : le HTML est nettoyé (liste blanche).",
    request=MessageInputSerializer,
    files=True,
)
class QuestionInfoRequestView(QuestionActionView):
    accepts_files = True
    input_serializer = MessageInputSerializer

    def perform(self, question, data):
        question_info_request(actor=self.request.user, question=question, **data)


@_action_schema(
    "questions_close", "Clôturer sans réponse écrite (équipe), avec une note facultative", request=NoteSerializer
)
class QuestionCloseView(QuestionActionView):
    input_serializer = NoteSerializer

    def perform(self, question, data):
        question_close(actor=self.request.user, question=question, **data)


@_action_schema(
    "questions_reopen",
    "Rouvrir une question traitée (équipe) : en cours, avec un nouveau délai complet",
    request=NoteSerializer,
)
class QuestionReopenView(QuestionActionView):
    input_serializer = NoteSerializer

    def perform(self, question, data):
        question_reopen(actor=self.request.user, question=question, **data)


@_action_schema("questions_callback_done", "Noter que l'adhérent a été rappelé (équipe)", request=None)
class CallbackDoneView(QuestionActionView):
    def perform(self, question, data):
        callback_done(actor=self.request.user, question=question)


# Files ---------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="questions_pdf",
        summary="La question et son échange en PDF, aux couleurs de l'organisation (téléchargement)",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **_errors(404)},
    )
)
class QuestionPdfView(DownloadView):
    def get(self, request, question_id: int):
        return question_pdf_download(self.question())


@extend_schema_view(
    get=extend_schema(
        operation_id="questions_attachment",
        summary="Une pièce jointe d'une question visible par l'appelant (téléchargement)",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **_errors(404)},
    )
)
class AttachmentView(DownloadView):
    def get(self, request, attachment_id: int):
        attachment = access_attachment(actor=request.user, attachment_id=attachment_id)
        return file_download(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)


# Themes, callbacks, figures ------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="questions_themes",
        summary="Thèmes et sous-thèmes proposés, dans l'ordre de l'organisation",
        parameters=[OpenApiParameter("all", OpenApiTypes.BOOL, description="Équipe : inclure les thèmes désactivés.")],
        responses={200: ThemeSerializer(many=True), **_errors(403)},
    )
)
class ThemeListView(QuestionsAPIView):
    queryset = Theme.objects.none()
    serializer_class = ThemeSerializer
    pagination_class = None  # a few dozen at most

    def get(self, request):
        _require_questions_side(request)
        staff = request.user.has_perm(WORK)
        include_inactive = staff and request.query_params.get("all") in ("1", "true")
        return Response(self.get_serializer(theme_choices(include_inactive=include_inactive), many=True).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="questions_callbacks",
        summary="Rappels téléphoniques à faire, le plus urgent d'abord (équipe)",
        responses={200: CallbackRowSerializer(many=True), **_errors(403)},
    )
)
class CallbackListView(QueueContextMixin, ListModelMixin, QuestionsAPIView):
    serializer_class = CallbackRowSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Question.objects.none()
        return callback_list(actor=self.request.user)

    def get(self, request):
        _require(request, WORK)
        return self.list(request)


@extend_schema_view(
    get=extend_schema(
        operation_id="questions_statistics",
        summary="Chiffres du service juridique : questions par thème et par mois, délais tenus, temps médian",
        parameters=[
            OpenApiParameter("months", OpenApiTypes.INT, description="Nombre de mois (1 à 36, 12 par défaut).")
        ],
        responses={200: StatisticsSerializer, **_errors(400, 403)},
    )
)
class StatisticsView(QuestionsAPIView):
    serializer_class = StatisticsSerializer

    def get(self, request):
        _require(request, WORK)
        params = StatisticsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        statistics = question_statistics(months=params.validated_data["months"])
        return Response(self.get_serializer(statistics).data)
