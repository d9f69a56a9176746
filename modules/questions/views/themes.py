"""PLACEHOLDER: being written."""

from django.http import Http404


def __getattr__(name):
    def view(request, **kwargs):
        raise Http404

    return view
