from django.urls import path

from . import views

app_name = "console"
urlpatterns = [
    path("", views.console_home, name="home"),
    path("organisations/nouvelle/", views.organisation_new, name="organisation_new"),
    path("organisations/<slug:slug>/offre/", views.organisation_plan, name="organisation_plan"),
    path("organisations/<slug:slug>/<str:transition>/", views.organisation_status, name="organisation_status"),
]
