from django.urls import path

from . import views

urlpatterns = [
    path("", views.ModuleStatusView.as_view(), name="status"),
]
