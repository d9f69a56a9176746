from django.urls import path

from core.modules.api import ModuleStatusView

urlpatterns = [
    path("", ModuleStatusView.as_view(module_key="billing"), name="status"),
]
