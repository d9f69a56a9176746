from django.urls import path

from . import views

app_name = "modules"
urlpatterns = [
    path("", views.module_settings_page, name="settings"),
    path("<slug:key>/activation/", views.module_toggle, name="toggle"),
    path("<slug:key>/reglages/", views.module_configure, name="configure"),
]
