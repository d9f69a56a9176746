"""Template filters of the member space."""

from django import template

from core.modules.registry import registry

register = template.Library()


@register.filter
def module_labels(keys) -> str:
    """French labels of module keys, in registry order ("—" for none)."""
    labels = [str(spec.label) for spec in registry.enabled(keys or [])]
    return ", ".join(labels) or "—"
