"""Pages of audit (placeholders until built)."""

from django.urls import path

from core.web.views import coming_soon

app_name = "audit"
urlpatterns = [
    path("", coming_soon, name="journal"),
]
