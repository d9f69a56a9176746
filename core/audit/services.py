"""`audit_record`: called by every service, inside its transaction."""

from django.db import models

from .models import AuditEntry


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    member=None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Append one entry to the current schema's journal; `member` is who the change concerns."""
    return AuditEntry.objects.create(
        member_id=getattr(member, "pk", member),
        actor_email=getattr(actor, "email", "") or "",
        actor_id=getattr(actor, "pk", None),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        before=before or {},
        after=after or {},
    )
