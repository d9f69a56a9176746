"""Answer 404 for every page and API route of a module the organisation has not switched on."""

from django.http import Http404
from django.utils.translation import gettext as _

from .registry import registry


class ModuleGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        key = registry.module_of_namespaces(match.namespaces) if match else None
        if key is None:
            return None
        organisation = getattr(request, "tenant", None)
        if organisation is None or not organisation.module_enabled(key):
            raise Http404(_("Module non activé."))
        return None
