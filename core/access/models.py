"""Membership: a person acting for a member, with a role and the rights the member granted.

A contact of the company and an external user (accounting firm, head office) are both
memberships; an external user usually holds several, one per member it acts for.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrateur")
    USER = "user", _("Utilisateur")


class MembershipKind(models.TextChoices):
    CONTACT = "contact", _("Contact de l'adhérent")
    DELEGATE = "delegate", _("Utilisateur externe (cabinet comptable, siège)")


class MembershipState(models.TextChoices):
    PENDING = "pending", _("En attente de validation")
    ACTIVE = "active", _("Actif")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=MemberRole.choices, default=MemberRole.USER)
    kind = models.CharField(_("type"), max_length=20, choices=MembershipKind.choices, default=MembershipKind.CONTACT)
    # Codenames from core.access.rights; an administrator holds every right whatever this says.
    rights = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    state = models.CharField(_("état"), max_length=20, choices=MembershipState.choices, default=MembershipState.PENDING)
    # The validation link of a pending membership (sha256 of the token); a new link replaces it.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["member", "user__email"]
        verbose_name = _("rattachement")
        constraints = [models.UniqueConstraint(fields=["user", "member"], name="membership_unique")]
        indexes = [models.Index(fields=["member", "role", "state"], name="membership_admins_idx")]

    def __str__(self) -> str:
        return f"{self.user} → {self.member} ({self.role})"

    @property
    def is_active(self) -> bool:
        return self.state == MembershipState.ACTIVE

    @property
    def is_administrator(self) -> bool:
        return self.role == MemberRole.ADMINISTRATOR

    def holds(self, codename: str) -> bool:
        """Whether this membership grants `codename` (pending memberships grant nothing)."""
        return self.is_active and (self.is_administrator or codename in self.rights)
