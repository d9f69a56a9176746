"""Member (adhérent), its addresses and its establishments.

A member is identified the way its organisation chose: by SIRET or by member number. The people
who act for a member are in `core.access` (Membership).
"""

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
    legal_form = models.CharField(_("forme juridique"), max_length=100, blank=True)
    naf_code = models.CharField(_("code NAF/APE"), max_length=6, blank=True)
    # The contact address of the membership file: where first-connection links are sent.
    email = models.EmailField(_("e-mail de contact"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.MEMBER
    )
    member_since = models.DateField(_("adhérent depuis"), null=True, blank=True)
    member_until = models.DateField(_("adhérent jusqu'au"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("adhérent")
        constraints = [
            models.UniqueConstraint(fields=["siret"], condition=~Q(siret=""), name="member_siret_unique"),
            models.UniqueConstraint(
                fields=["member_number"], condition=~Q(member_number=""), name="member_number_unique"
            ),
            models.CheckConstraint(condition=~Q(siret="", member_number=""), name="member_has_identifier"),
            models.CheckConstraint(
                condition=Q(member_until__isnull=True)
                | Q(member_since__isnull=True)
                | Q(member_until__gte=models.F("member_since")),
                name="member_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["email"], name="member_email_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def siren(self) -> str:
        return self.siret[:9]

    @property
    def identifier(self) -> str:
        return self.siret or self.member_number


class AddressKind(models.TextChoices):
    HEAD_OFFICE = "head_office", _("Siège social")
    MAILING = "mailing", _("Adresse de correspondance")
    BILLING = "billing", _("Adresse de facturation")


class Address(models.Model):
    """One of a member's addresses; at most one of each kind."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("type"), max_length=20, choices=AddressKind.choices)
    line1 = models.CharField(_("adresse"), max_length=200)
    line2 = models.CharField(_("complément"), max_length=200, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10)
    city = models.CharField(_("ville"), max_length=100)
    country = models.CharField(_("pays"), max_length=2, default="FR")

    class Meta:
        ordering = ["member", "kind"]
        verbose_name = _("adresse")
        constraints = [models.UniqueConstraint(fields=["member", "kind"], name="address_one_per_kind")]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.line1, self.line2, f"{self.postcode} {self.city}") if part)


class Establishment(models.Model):
    """A site of a member (établissement), with its own SIRET."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="establishments")
    name = models.CharField(_("nom"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True)
    line1 = models.CharField(_("adresse"), max_length=200, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    is_head_office = models.BooleanField(_("siège"), default=False)

    class Meta:
        ordering = ["member", "-is_head_office", "name"]
        verbose_name = _("établissement")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(is_head_office=True), name="establishment_one_head_office"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.siret})"
