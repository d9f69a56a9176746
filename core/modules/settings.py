"""Read and write a module's settings (defaults from its ModuleSpec, values per organisation)."""

from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.audit.services import audit_record
from core.errors import DomainError

from .models import ModuleSettings
from .registry import registry


def module_settings_get(key: str) -> dict:
    """The module's settings in the current organisation, defaults filled in."""
    stored = ModuleSettings.objects.filter(key=key).values_list("values", flat=True).first() or {}
    return {**registry.get(key).settings_defaults, **stored}


def module_settings_form_class(key: str):
    spec = registry.get(key)
    return import_string(spec.settings_form) if spec.settings_form else None


def module_settings_save(*, actor, key: str, values: dict) -> dict:
    """Validate `values` with the module's settings form and store them."""
    form_class = module_settings_form_class(key)
    if form_class is None:
        raise DomainError(_("Ce module n'a pas de réglages."))
    form = form_class(data=values)
    if not form.is_valid():
        raise DomainError(_("Réglages invalides."), errors={name: list(errs) for name, errs in form.errors.items()})
    with transaction.atomic():
        before = module_settings_get(key)
        ModuleSettings.objects.update_or_create(key=key, defaults={"values": form.cleaned_data})
        audit_record(actor=actor, action=f"{key}.settings_change", before=before, after=form.cleaned_data)
    return module_settings_get(key)
