"""API view every module mounts at /api/<key>/: tells a client the module is on for the organisation."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .registry import registry


class ModuleStatusView(APIView):
    module_key: str = ""

    @extend_schema(
        responses=inline_serializer(
            "ModuleStatus", {"module": serializers.CharField(), "label": serializers.CharField()}
        )
    )
    def get(self, request):
        spec = registry.get(self.module_key)
        return Response({"module": spec.key, "label": spec.label})
