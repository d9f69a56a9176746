"""Per-member notification preferences, and the in-app notifications people receive."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification of one member; no row means the default
    (administrators receive every kind, users the kinds whose right they hold)."""

    membership = models.ForeignKey(
        "access.Membership", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("type de notification"), max_length=80)
    enabled = models.BooleanField(_("recevoir"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("préférence de notification")
        constraints = [models.UniqueConstraint(fields=["membership", "kind"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.kind}: {self.enabled}"


class Notification(models.Model):
    """One in-app notification of a person, about one member."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("type"), max_length=80)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("lien"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        indexes = [
            models.Index(fields=["user", "member", "read_at"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
