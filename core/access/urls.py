"""Pages of access (placeholders until built)."""

from django.urls import path

from core.web.views import coming_soon

app_name = "access"
urlpatterns = [
    path("utilisateurs/", coming_soon, name="contacts"),
    path("changer-adherent/", coming_soon, name="switch"),
    path("validation/<str:token>/", coming_soon, name="accept"),
    path("equipe/", coming_soon, name="staff"),
]
