"""Checks and normalisation of a member's profile values (NAF code, status, e-mail, phone, dates).

Each `*_clean` returns the value to store or raises a `DomainError` whose `errors` name the field,
so that services, forms, the API and the import all say the same thing in French.
"""

import re
import unicodedata
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.errors import DomainError

from .models import AddressKind, MembershipStatus

NAF_PATTERN = re.compile(r"(\d{2})\.?(\d{2})([A-Z])")
PHONE_PATTERN = re.compile(r"\+?[0-9 .()-]{6,30}")
FRENCH_POSTCODE = re.compile(r"\d{5}")


def _refuse(field: str, message: str, detail: str | None = None) -> DomainError:
    return DomainError(message, errors={field: [detail or message]})


def plain_words(value: str) -> str:
    """Lower case without accents, for matching headers and statuses typed by people."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip().lower()


def naf_clean(value: str, *, field: str = "naf_code") -> str:
    """A NAF/APE code as `62.01Z` (accepts `6201Z`, `62.01 z`); empty stays empty."""
    compact = re.sub(r"\s", "", value or "").upper()
    if not compact:
        return ""
    match = NAF_PATTERN.fullmatch(compact)
    if match is None:
        raise _refuse(
            field,
            _("Le code NAF/APE « %(value)s » n'a pas le format attendu (par exemple 62.01Z).") % {"value": value},
            _("Code NAF/APE invalide (format attendu : 62.01Z)."),
        )
    return "{}.{}{}".format(*match.groups())


STATUS_WORDS = {
    **{status.value: status.value for status in MembershipStatus},
    **{plain_words(str(status.label)): status.value for status in MembershipStatus},
    "prospect": MembershipStatus.PROSPECT,
    "ancien": MembershipStatus.FORMER,
}


def status_clean(value: str, *, field: str = "status") -> str:
    """A membership status from its code (`member`) or its French label (`Ancien adhérent`)."""
    status = STATUS_WORDS.get(re.sub(r"[\s_-]+", " ", plain_words(value)))
    if status is None:
        raise _refuse(
            field,
            _("Statut inconnu : « %(status)s » (attendu : %(choices)s).")
            % {"status": value, "choices": ", ".join(str(label) for label in MembershipStatus.labels)},
            _("Statut inconnu."),
        )
    return status


def email_clean(value: str, *, field: str = "email") -> str:
    """An e-mail address in lower case; empty stays empty."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError as exc:
        raise _refuse(
            field,
            _("L'adresse e-mail « %(value)s » n'est pas valide.") % {"value": value},
            _("Adresse e-mail invalide."),
        ) from exc
    return value


def phone_clean(value: str, *, field: str = "phone") -> str:
    """A phone number as typed (digits, spaces, dots, dashes, brackets, a leading +)."""
    value = " ".join((value or "").split())
    if value and not PHONE_PATTERN.fullmatch(value):
        raise _refuse(
            field,
            _("Le numéro de téléphone « %(value)s » n'est pas valide.") % {"value": value},
            _("Numéro de téléphone invalide."),
        )
    return value


def date_clean(value, *, field: str) -> date | None:
    """A date from a `date`, `JJ/MM/AAAA` or `AAAA-MM-JJ`; empty gives None."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise _refuse(
        field,
        _("La date « %(value)s » n'est pas valide (attendu : JJ/MM/AAAA).") % {"value": text},
        _("Date invalide (attendu : JJ/MM/AAAA)."),
    )


def dates_ordered_check(member_since: date | None, member_until: date | None) -> None:
    """Membership cannot end before it starts."""
    if member_since and member_until and member_until < member_since:
        raise _refuse(
            "member_until",
            _("La fin d'adhésion ne peut pas précéder son début."),
            _("Doit être postérieure à la date d'adhésion."),
        )


def address_kind_clean(value: str) -> str:
    if value not in AddressKind.values:
        raise _refuse("kind", _("Type d'adresse inconnu : %(kind)s.") % {"kind": value}, _("Type inconnu."))
    return value


def postcode_clean(value: str, *, country: str = "FR", field: str = "postcode") -> str:
    """A postcode; a French one has five digits."""
    value = (value or "").replace(" ", "") if country == "FR" else (value or "").strip()
    if not value:
        raise _refuse(field, _("Le code postal est obligatoire."), _("Champ obligatoire."))
    if country == "FR" and not FRENCH_POSTCODE.fullmatch(value):
        raise _refuse(
            field,
            _("Le code postal « %(value)s » doit compter 5 chiffres.") % {"value": value},
            _("Code postal invalide (5 chiffres)."),
        )
    return value


def errors_collect(checks: dict) -> tuple[dict, DomainError | None]:
    """Run each `field: callable` check; the clean values, and one refusal holding every failure."""
    values, errors, messages = {}, {}, []
    for field, check in checks.items():
        try:
            values[field] = check()
        except DomainError as error:
            messages.append(error.message)
            for key, field_messages in (error.errors or {field: [error.message]}).items():
                errors.setdefault(key, []).extend(field_messages)
    if not errors:
        return values, None
    return values, DomainError(" ".join(messages), errors=errors)
