"""Pages of personal data (RGPD)."""

from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("export/", views.export, name="export"),
    path("effacer/<int:user_id>/", views.erase, name="erase"),
]
