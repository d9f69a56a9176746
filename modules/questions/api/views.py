"""PLACEHOLDER: being written."""

from django.http import Http404
from django.views import View


class _Placeholder(View):
    def get(self, request, **kwargs):
        raise Http404


def __getattr__(name):
    return _Placeholder
