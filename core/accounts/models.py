"""User and Invitation. The table exists in every schema: the same e-mail in two organisations is
two unrelated accounts, and operators are the users of the public schema."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    """Roles of the organisation's own staff; member contacts have none."""

    ADMIN = "admin", _("Administrateur de l'organisation")
    JURIST = "jurist", _("Juriste")
    ADVISOR = "advisor", _("Conseiller")
    PLANNER = "planner", _("Planificateur")
    ACCOUNTANT = "accountant", _("Comptable")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("adresse e-mail"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=200, blank=True)
    staff_role = models.CharField(_("rôle"), max_length=20, choices=StaffRole.choices, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    # In the public schema: a platform operator. Unused in organisation schemas.
    is_staff = models.BooleanField(_("opérateur de la plateforme"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The account stops working at the start of this day; a reminder goes out on the 20th before.
    expires_on = models.DateField(_("expire le"), null=True, blank=True)
    # The member last chosen in "changer d'adhérent" (core.access); no foreign key because this
    # table also exists in the public schema, where members do not.
    last_member_id = models.BigIntegerField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email


class Invitation(models.Model):
    """A single-use link that lets an invited person choose their password."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation of {self.user_id} ({self.created_at:%Y-%m-%d})"
