"""URLs of an organisation's subdomain: the member space, its modules and the API.

Module URLs come from the registry; `ModuleGateMiddleware` answers 404 for a module the
organisation has switched off.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.modules.registry import registry

urlpatterns = [
    path("", include("core.web.urls")),
    path("compte/", include("core.accounts.urls")),
    path("administration/modules/", include("core.modules.urls")),
    path("adherents/", include("core.members.urls")),
    path("acces/", include("core.access.urls")),
    path("notifications/", include("core.notifications.urls")),
    path("documents/", include("core.documents.urls")),
    path("journal/", include("core.audit.urls")),
    path("mes-donnees/", include("core.privacy.urls")),
    path("api/members/", include("core.members.api.urls")),
    path("api/access/", include("core.access.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script for the CSP to block.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *registry.urlpatterns(),
]
handler404 = "core.web.views.page_not_found"
