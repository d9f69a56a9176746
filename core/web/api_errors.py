"""API errors as one structured shape: {"code", "message", "errors"}, messages in French."""

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


def not_found_body() -> dict:
    """The one body of every API 404: absent and not-yours say the same."""
    return {"code": "not_found", "message": _("Introuvable."), "errors": {}}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "message": exc.message, "errors": exc.errors}, status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(detail, dict) and "detail" in detail:
        body = {"code": getattr(detail["detail"], "code", "error"), "message": str(detail["detail"]), "errors": {}}
    else:
        body = {"code": "invalid", "message": _("Données invalides."), "errors": detail}
    if response.status_code == status.HTTP_404_NOT_FOUND:
        body = not_found_body()
    response.data = body
    return response
