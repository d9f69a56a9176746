"""Users, their e-mailed links and codes, and their sessions. The tables exist in every schema: the
same e-mail in two organisations is two unrelated accounts, and operators are the users of the
public schema."""

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

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """The whole address in lower case, without surrounding spaces: one account per mailbox,
        however the address is typed."""
        return super().normalize_email((email or "").strip()).lower()

    def create_user(self, email: str, password: str | None = None, **fields):
        user = self.model(email=self.normalize_email(email), **fields)
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
    # The `expires_on` the expiry reminder was sent for: a second run sends nothing twice, and a
    # new end date gets its own reminder.
    expiry_reminded_for = models.DateField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email


class LinkPurpose(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    PASSWORD_RESET = "password_reset", _("Réinitialisation du mot de passe")
    FIRST_CONNECTION = "first_connection", _("Première connexion")


class AccountLink(models.Model):
    """A single-use link e-mailed to `email`, kept as the sha256 of its token.

    `user` is empty only for a first connection by a member's contact address that has no
    account yet: the account is created when the link is used.
    """

    purpose = models.CharField(max_length=20, choices=LinkPurpose.choices, default=LinkPurpose.INVITATION)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="links", null=True, blank=True)
    email = models.EmailField(blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["purpose", "email"], name="accountlink_purpose_email_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} link for {self.email} ({self.created_at:%Y-%m-%d})"


class InvitationManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(purpose=LinkPurpose.INVITATION)


class Invitation(AccountLink):
    """The invitation links among account links (staff and first administrators)."""

    objects = InvitationManager()

    class Meta:
        proxy = True

    def save(self, *args, **kwargs):
        self.purpose = LinkPurpose.INVITATION
        super().save(*args, **kwargs)


class EmailCode(models.Model):
    """A one-time login code: six digits, kept as a salted HMAC, a few attempts, ten minutes."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_codes")
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    # Set the first time someone types this code again after it was used (the person is told once).
    replayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"code for {self.user_id} ({self.created_at:%Y-%m-%d %H:%M})"


class UserSession(models.Model):
    """A signed-in session of a person, recorded at login so that it can be listed and ended."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(default=timezone.now)
    user_agent = models.CharField(max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        verbose_name = _("session")

    def __str__(self) -> str:
        return f"session of {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"
