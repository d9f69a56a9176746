"""Writes on members: the member's record, its addresses and its establishments.

Every value goes through `core.members.checks` or `core.members.identity`, so a refusal carries a
French message per field; uniqueness is checked first for a clear message, and the database
constraint still decides under concurrency (its `IntegrityError` becomes the same refusal).
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit.services import audit_record
from core.errors import DomainError

from .checks import (
    address_kind_clean,
    date_clean,
    dates_ordered_check,
    email_clean,
    errors_collect,
    naf_clean,
    phone_clean,
    postcode_clean,
    status_clean,
)
from .identity import identity_fields, siret_clean
from .models import Address, Establishment, Member, MembershipStatus

# What a member's own people may change (with the right `members.change_member`) ...
PROFILE_FIELDS = ("name", "legal_form", "naf_code", "email", "phone")
# ... and what only the organisation's staff may change: identity and membership.
STAFF_FIELDS = ("identifier", "status", "member_since", "member_until")
ESTABLISHMENT_FIELDS = ("name", "siret", "line1", "postcode", "city", "is_head_office")


def _text(value, *, field: str, max_length: int, required_message: str | None = None) -> str:
    value = " ".join(str(value or "").split())
    if not value and required_message:
        raise DomainError(required_message, errors={field: [_("Champ obligatoire.")]})
    if len(value) > max_length:
        raise DomainError(
            _("Texte trop long : %(max)d caractères au plus.") % {"max": max_length},
            errors={field: [_("%(max)d caractères au plus.") % {"max": max_length}]},
        )
    return value


def _member_checks(values: dict) -> dict:
    """The check of each given member field, ready for `errors_collect`."""
    checks = {
        "name": lambda: _text(
            values["name"], field="name", max_length=200, required_message=_("La raison sociale est obligatoire.")
        ),
        "identifier": lambda: identity_fields(values["identifier"]),
        "legal_form": lambda: _text(values["legal_form"], field="legal_form", max_length=100),
        "naf_code": lambda: naf_clean(values["naf_code"]),
        "email": lambda: email_clean(values["email"]),
        "phone": lambda: phone_clean(values["phone"]),
        "status": lambda: status_clean(values["status"]),
        "member_since": lambda: date_clean(values["member_since"], field="member_since"),
        "member_until": lambda: date_clean(values["member_until"], field="member_until"),
    }
    return {field: check for field, check in checks.items() if field in values}


def member_values_clean(values: dict) -> dict:
    """Model field values from member input (`identifier` becomes `siret` or `member_number`);
    one refusal listing every bad field."""
    clean, refusal = errors_collect(_member_checks(values))
    if refusal:
        raise refusal
    clean.update(clean.pop("identifier", {}))
    return clean


def _snapshot(member: Member) -> dict:
    fields = ("name", "siret", "member_number", "legal_form", "naf_code", "email", "phone", "status")
    snapshot = {field: getattr(member, field) for field in fields}
    for field in ("member_since", "member_until"):
        value = getattr(member, field)
        snapshot[field] = value.isoformat() if value else None
    return snapshot


def _identity_taken() -> DomainError:
    return DomainError(
        _("Un adhérent porte déjà cet identifiant."),
        errors={"identifier": [_("Identifiant déjà utilisé.")]},
        code="duplicate",
    )


def _refuse_taken_identity(fields: dict, *, exclude_pk: int | None = None) -> None:
    for field in ("siret", "member_number"):
        if fields.get(field) and Member.objects.filter(**{field: fields[field]}).exclude(pk=exclude_pk).exists():
            raise _identity_taken()


def member_create(
    *,
    actor,
    name: str,
    identifier: str,
    status: str = MembershipStatus.MEMBER,
    legal_form: str = "",
    naf_code: str = "",
    email: str = "",
    phone: str = "",
    member_since: date | str | None = None,
    member_until: date | str | None = None,
) -> Member:
    """Register a member, identified the way the current organisation chose (SIRET or number)."""
    fields = member_values_clean(
        {
            "name": name,
            "identifier": identifier,
            "status": status,
            "legal_form": legal_form,
            "naf_code": naf_code,
            "email": email,
            "phone": phone,
            "member_since": member_since,
            "member_until": member_until,
        }
    )
    dates_ordered_check(fields["member_since"], fields["member_until"])
    _refuse_taken_identity(fields)
    try:
        with transaction.atomic():
            member = Member.objects.create(**fields)
            audit_record(actor=actor, action="member.create", target=member, member=member, after=_snapshot(member))
    except IntegrityError as exc:
        raise _identity_taken() from exc
    return member


def member_update(*, actor, member: Member, **changes) -> Member:
    """Change some fields of a member (see `PROFILE_FIELDS`, `STAFF_FIELDS`); the caller decides
    which the actor may touch. Unchanged values write nothing."""
    unknown = set(changes) - set(PROFILE_FIELDS) - set(STAFF_FIELDS)
    if unknown:
        raise TypeError(f"member_update() got unexpected fields {sorted(unknown)}")
    fields = member_values_clean(changes)
    try:
        with transaction.atomic():
            member = Member.objects.select_for_update().get(pk=member.pk)
            dates_ordered_check(
                fields.get("member_since", member.member_since), fields.get("member_until", member.member_until)
            )
            changed = {field: value for field, value in fields.items() if getattr(member, field) != value}
            if not changed:
                return member
            _refuse_taken_identity(changed, exclude_pk=member.pk)
            before = _snapshot(member)
            for field, value in changed.items():
                setattr(member, field, value)
            member.save(update_fields=[*changed, "updated_at"])
            after = _snapshot(member)
            audit_record(
                actor=actor,
                action="member.update",
                target=member,
                member=member,
                before={field: before[field] for field in changed},
                after={field: after[field] for field in changed},
            )
    except IntegrityError as exc:
        raise _identity_taken() from exc
    return member


def _address_snapshot(address: Address) -> dict:
    return {field: getattr(address, field) for field in ("kind", "line1", "line2", "postcode", "city", "country")}


def address_set(
    *, actor, member: Member, kind: str, line1: str, postcode: str, city: str, line2: str = "", country: str = "FR"
) -> Address:
    """Give a member its address of `kind` (head office, mailing, billing), replacing the previous one."""
    country = (country or "FR").strip().upper()
    values, refusal = errors_collect(
        {
            "kind": lambda: address_kind_clean(kind),
            "line1": lambda: _text(
                line1, field="line1", max_length=200, required_message=_("L'adresse est obligatoire.")
            ),
            "line2": lambda: _text(line2, field="line2", max_length=200),
            "postcode": lambda: postcode_clean(postcode, country=country),
            "city": lambda: _text(city, field="city", max_length=100, required_message=_("La ville est obligatoire.")),
            "country": lambda: _country_clean(country),
        }
    )
    if refusal:
        raise refusal
    with transaction.atomic():
        Member.objects.select_for_update().get(pk=member.pk)
        address = Address.objects.filter(member=member, kind=values["kind"]).first()
        before = _address_snapshot(address) if address else {}
        if address is None:
            address = Address(member=member)
        for field, value in values.items():
            setattr(address, field, value)
        address.save()
        audit_record(
            actor=actor,
            action="member.address_set",
            target=address,
            member=member,
            before=before,
            after=_address_snapshot(address),
        )
    return address


def _country_clean(country: str) -> str:
    if len(country) != 2 or not country.isalpha():
        raise DomainError(
            _("Le pays s'écrit avec son code à deux lettres (FR)."), errors={"country": [_("Code pays invalide.")]}
        )
    return country


def address_remove(*, actor, member: Member, kind: str) -> None:
    """Forget a member's address of `kind` (nothing happens if it has none)."""
    with transaction.atomic():
        address = Address.objects.filter(member=member, kind=address_kind_clean(kind)).first()
        if address is None:
            return
        audit_record(
            actor=actor,
            action="member.address_remove",
            target=address,
            member=member,
            before=_address_snapshot(address),
        )
        address.delete()


def _establishment_snapshot(establishment: Establishment) -> dict:
    return {field: getattr(establishment, field) for field in ESTABLISHMENT_FIELDS}


def _establishment_values_clean(member: Member, values: dict) -> dict:
    checks = {
        "name": lambda: _text(
            values["name"],
            field="name",
            max_length=200,
            required_message=_("Le nom de l'établissement est obligatoire."),
        ),
        "siret": lambda: _establishment_siret_clean(member, values["siret"]),
        "line1": lambda: _text(values["line1"], field="line1", max_length=200),
        "postcode": lambda: postcode_clean(values["postcode"]) if str(values["postcode"] or "").strip() else "",
        "city": lambda: _text(values["city"], field="city", max_length=100),
        "is_head_office": lambda: bool(values["is_head_office"]),
    }
    clean, refusal = errors_collect({field: check for field, check in checks.items() if field in values})
    if refusal:
        raise refusal
    return clean


def _establishment_siret_clean(member: Member, value: str) -> str:
    try:
        siret = siret_clean(value)
    except DomainError as error:
        raise DomainError(error.message, errors={"siret": error.errors.get("identifier", [error.message])}) from error
    # An establishment belongs to the company: same SIREN (when the member is known by its SIRET).
    if member.siret and siret[:9] != member.siren:
        raise DomainError(
            _("Ce SIRET (SIREN %(siren)s) n'est pas celui d'un établissement de l'adhérent (SIREN %(member)s).")
            % {"siren": siret[:9], "member": member.siren},
            errors={"siret": [_("SIREN différent de celui de l'adhérent.")]},
        )
    return siret


def _refuse_establishment_conflicts(member: Member, values: dict, *, exclude_pk: int | None = None) -> None:
    others = Establishment.objects.exclude(pk=exclude_pk)
    if values.get("siret") and others.filter(siret=values["siret"]).exists():
        raise DomainError(
            _("Un établissement porte déjà ce SIRET."),
            errors={"siret": [_("SIRET déjà utilisé.")]},
            code="duplicate",
        )
    if values.get("is_head_office"):
        head_office = others.filter(member=member, is_head_office=True).first()
        if head_office is not None:
            raise DomainError(
                _("%(name)s est déjà le siège de l'adhérent : retirez-lui d'abord ce statut.")
                % {"name": head_office.name},
                errors={"is_head_office": [_("L'adhérent a déjà un siège.")]},
                code="duplicate",
            )


def _establishment_refusal(exc: IntegrityError) -> DomainError:
    """The refusal for a constraint that a concurrent change won."""
    constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") or ""
    if "head_office" in constraint:
        return DomainError(
            _("L'adhérent a déjà un siège."), errors={"is_head_office": [_("L'adhérent a déjà un siège.")]}
        )
    return DomainError(_("Un établissement porte déjà ce SIRET."), errors={"siret": [_("SIRET déjà utilisé.")]})


def establishment_add(
    *,
    actor,
    member: Member,
    name: str,
    siret: str,
    line1: str = "",
    postcode: str = "",
    city: str = "",
    is_head_office: bool = False,
) -> Establishment:
    """Add a site (établissement) to a member, with its own SIRET; at most one head office."""
    values = _establishment_values_clean(
        member,
        {
            "name": name,
            "siret": siret,
            "line1": line1,
            "postcode": postcode,
            "city": city,
            "is_head_office": is_head_office,
        },
    )
    try:
        with transaction.atomic():
            Member.objects.select_for_update().get(pk=member.pk)
            _refuse_establishment_conflicts(member, values)
            establishment = Establishment.objects.create(member=member, **values)
            audit_record(
                actor=actor,
                action="member.establishment_add",
                target=establishment,
                member=member,
                after=_establishment_snapshot(establishment),
            )
    except IntegrityError as exc:
        raise _establishment_refusal(exc) from exc
    return establishment


def establishment_update(*, actor, establishment: Establishment, **changes) -> Establishment:
    """Change some fields of an establishment (see `ESTABLISHMENT_FIELDS`)."""
    unknown = set(changes) - set(ESTABLISHMENT_FIELDS)
    if unknown:
        raise TypeError(f"establishment_update() got unexpected fields {sorted(unknown)}")
    member = establishment.member
    values = _establishment_values_clean(member, changes)
    try:
        with transaction.atomic():
            Member.objects.select_for_update().get(pk=member.pk)
            establishment = Establishment.objects.select_related("member").get(pk=establishment.pk)
            changed = {field: value for field, value in values.items() if getattr(establishment, field) != value}
            if not changed:
                return establishment
            _refuse_establishment_conflicts(member, changed, exclude_pk=establishment.pk)
            before = _establishment_snapshot(establishment)
            for field, value in changed.items():
                setattr(establishment, field, value)
            establishment.save(update_fields=list(changed))
            audit_record(
                actor=actor,
                action="member.establishment_update",
                target=establishment,
                member=member,
                before={field: before[field] for field in changed},
                after=changed,
            )
    except IntegrityError as exc:
        raise _establishment_refusal(exc) from exc
    return establishment


def establishment_remove(*, actor, establishment: Establishment) -> None:
    """Remove a site from its member."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="member.establishment_remove",
            target=establishment,
            member=establishment.member_id,
            before=_establishment_snapshot(establishment),
        )
        establishment.delete()
