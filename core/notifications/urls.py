"""Pages of notifications (placeholders until built)."""

from django.urls import path

from core.web.views import coming_soon

app_name = "notifications"
urlpatterns = [
    path("preferences/", coming_soon, name="preferences"),
    path("", coming_soon, name="inbox"),
]
