"""ModuleSettings: the organisation's values for a module's settings form (its own schema)."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class ModuleSettings(models.Model):
    key = models.CharField(max_length=30, unique=True)
    values = models.JSONField(default=dict, encoder=DjangoJSONEncoder)  # dates and decimals too
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réglages d'un module")

    def __str__(self) -> str:
        return self.key
