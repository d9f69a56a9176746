"""API of the health module."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class ModuleStatusView(APIView):
    """Tells an API client that the module is switched on for the organisation."""

    @extend_schema(
        operation_id="health_status",
        responses=inline_serializer(
            "HealthStatus", {"module": serializers.CharField(), "label": serializers.CharField()}
        ),
    )
    def get(self, request):
        return Response({"module": "health", "label": "Santé au travail"})
