"""Pages of the billing module."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.modules.registry import registry


@login_required
def home(request):
    return render(request, "modules/placeholder.html", {"spec": registry.get("billing")})
