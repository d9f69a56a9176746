"""Member: the company that adheres to the organisation (its establishments come with issue 4)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MembershipStatus(models.TextChoices):
    MEMBER = "member", _("Adhérent")
    PROSPECT = "prospect", _("Non adhérent")
    FORMER = "former", _("Ancien adhérent")


class Member(models.Model):
    name = models.CharField(_("raison sociale"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    member_number = models.CharField(_("numéro d'adhérent"), max_length=40, blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.MEMBER
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("adhérent")
        constraints = [
            models.UniqueConstraint(fields=["siret"], condition=~Q(siret=""), name="member_siret_unique"),
            models.UniqueConstraint(
                fields=["member_number"], condition=~Q(member_number=""), name="member_number_unique"
            ),
            models.CheckConstraint(condition=~Q(siret="", member_number=""), name="member_has_identifier"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def siren(self) -> str:
        return self.siret[:9]

    @property
    def identifier(self) -> str:
        return self.siret or self.member_number
