"""Pages of members (placeholders until built)."""

from django.urls import path

from core.web.views import coming_soon

app_name = "members"
urlpatterns = [
    path("", coming_soon, name="list"),
    path("nouveau/", coming_soon, name="create"),
    path("import/", coming_soon, name="import"),
    path("<int:member_id>/", coming_soon, name="detail"),
    path("fiche/", coming_soon, name="profile"),
]
