"""Pages of notifications."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("preferences/", views.preferences, name="preferences"),
    path("utilisateurs/<int:membership_id>/", views.member_preferences, name="member_preferences"),
    path("tout-lire/", views.notification_read_all, name="read_all"),
    path("<int:notification_id>/lue/", views.notification_read, name="read"),
    path("<int:notification_id>/ouvrir/", views.notification_open, name="open"),
]
