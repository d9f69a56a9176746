"""Checks on onboarding input, each raising a French `ValidationError`."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Names that would clash with PostgreSQL, the platform's own hosts or the template schema.
RESERVED_SLUGS = frozenset(
    {
        "www",
        "api",
        "admin",
        "public",
        "static",
        "media",
        "mail",
        "smtp",
        "localhost",
        "template",
        "tenant_template",
        "information_schema",
        "postgres",
        "app",
        "status",
        "docs",
        "platform",
    }
)
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
HOSTNAME_PATTERN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
)
COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_slug(value: str) -> None:
    if value != value.strip() or " " in value:
        raise ValidationError(_("L'identifiant ne doit pas contenir d'espace."), code="slug_space")
    if value.lower() != value:
        raise ValidationError(_("L'identifiant doit être en minuscules."), code="slug_case")
    if value in RESERVED_SLUGS:
        raise ValidationError(_("L'identifiant « %(slug)s » est réservé.") % {"slug": value}, code="slug_reserved")
    if not SLUG_PATTERN.match(value) or "--" in value:
        raise ValidationError(
            _(
                "L'identifiant doit faire de 3 à 40 caractères : lettres minuscules, chiffres et tirets, "
                "commençant par une lettre."
            ),
            code="slug_invalid",
        )


def validate_hostname(value: str) -> None:
    if not HOSTNAME_PATTERN.match(value):
        raise ValidationError(
            _("« %(domain)s » n'est pas un nom de domaine valide.") % {"domain": value}, code="domain_invalid"
        )


def validate_member_number_pattern(value: str) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(
            _("Le format du numéro d'adhérent n'est pas une expression valide (%(error)s).") % {"error": exc},
            code="pattern_invalid",
        ) from exc


def validate_colour(value: str) -> None:
    if not COLOUR_PATTERN.match(value):
        raise ValidationError(_("La couleur doit être au format #RRVVBB."), code="colour_invalid")
