"""Member: the company that adheres to the organisation (its establishments come with issue 4)."""

from django.db import models
from django.db.models import Q


class MembershipStatus(models.TextChoices):
    MEMBER = "member", "Adhérent"
    PROSPECT = "prospect", "Non adhérent"
    FORMER = "former", "Ancien adhérent"


class Member(models.Model):
    name = models.CharField("raison sociale", max_length=200)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    member_number = models.CharField("numéro d'adhérent", max_length=40, blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.MEMBER
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "adhérent"
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
