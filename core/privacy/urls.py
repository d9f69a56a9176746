"""Pages of privacy (placeholders until built)."""

from django.urls import path

from core.web.views import coming_soon

app_name = "privacy"
urlpatterns = [
    path("export/", coming_soon, name="export"),
]
