"""URLs of the bare platform domain: the operator console."""

from django.urls import include, path

urlpatterns = [
    path("", include("tenants.console.urls")),
    path("compte/", include("core.accounts.urls")),
]
handler404 = "core.web.views.page_not_found"
