"""Pages of documents (placeholders until built)."""

from django.urls import path

from core.web.views import coming_soon

app_name = "documents"
urlpatterns = [
    path("", coming_soon, name="list"),
]
