"""Checking a file's rows against each other and the database, writing nothing."""

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from core.accounts.models import User
from core.errors import DomainError
from tenants.models import IdentityScheme

from ..checks import dates_ordered_check, email_clean, postcode_clean
from ..identity import identity_fields
from ..models import AddressKind, Member
from ..services import member_values_clean
from .columns import ADDRESS_COLUMNS, MEMBER_COLUMNS, identifier_column
from .preview import ImportPreview, ImportRow, RowProblem
from .reading import import_read


def _row_fields(values: dict[str, str], identifier: str, existing: Member | None) -> dict:
    """Keyword arguments for the member services: every non-empty cell (an update leaves empty
    cells alone)."""
    fields = {target: values[column] for column, target in MEMBER_COLUMNS.items() if values.get(column)}
    if existing is None:
        fields["identifier"] = identifier
    return fields


def _row_address(values: dict[str, str]) -> tuple[dict | None, list[str]]:
    if not any(values.get(column) for column in ADDRESS_COLUMNS):
        return None, []
    address = {
        "kind": AddressKind.HEAD_OFFICE,
        "line1": values.get("adresse", ""),
        "line2": values.get("complement_adresse", ""),
        "postcode": values.get("code_postal", ""),
        "city": values.get("ville", ""),
    }
    problems = []
    if not address["line1"]:
        problems.append(_("Adresse du siège incomplète : la colonne adresse est vide."))
    if not address["city"]:
        problems.append(_("Adresse du siège incomplète : la colonne ville est vide."))
    try:
        postcode_clean(address["postcode"])
    except DomainError as error:
        problems.append(error.message)
    return address, problems


def _identifier_of(values: dict[str, str], organisation) -> str | DomainError:
    """The row's clean identifier, or the refusal saying why it is not one."""
    try:
        return next(iter(identity_fields(values.get(identifier_column(organisation), ""), organisation).values()))
    except DomainError as error:
        return error


def _row_check(line, values, *, identifier, seen, existing_by_identifier, unusable_accounts):
    """One row: the `ImportRow` to write, or the reasons it cannot be written (and notes)."""
    problems, notes = [], []
    if isinstance(identifier, DomainError):
        problems.append(identifier.message)
        identifier = ""
    if identifier:
        if identifier in seen:
            problems.append(
                _("Identifiant %(identifier)s déjà présent ligne %(line)d du fichier.")
                % {"identifier": identifier, "line": seen[identifier]}
            )
        else:
            seen[identifier] = line
    existing = existing_by_identifier.get(identifier)
    if existing is None and not values.get("raison_sociale"):
        problems.append(_("Raison sociale manquante."))
    fields = _row_fields(values, identifier, existing)
    try:
        clean = member_values_clean({key: value for key, value in fields.items() if key != "identifier"})
        dates_ordered_check(
            clean.get("member_since", existing.member_since if existing else None),
            clean.get("member_until", existing.member_until if existing else None),
        )
    except DomainError as error:
        problems.append(error.message)
    address, address_problems = _row_address(values)
    problems.extend(address_problems)
    admin_email = ""
    try:
        admin_email = email_clean(values.get("email_administrateur", ""), field="email_administrateur")
    except DomainError as error:
        problems.append(error.message)
    if admin_email and existing is not None:
        notes.append(_("Adhérent existant : email_administrateur ignoré, l'import ne modifie pas ses accès."))
        admin_email = ""
    if admin_email in unusable_accounts:
        problems.append(unusable_accounts[admin_email])
    if problems:
        return None, RowProblem(line, problems), RowProblem(line, notes) if notes else None
    row = ImportRow(
        line=line,
        action="update" if existing else "create",
        name=values.get("raison_sociale") or existing.name,
        identifier=identifier,
        member_id=existing.pk if existing else None,
        fields=fields,
        address=address,
        admin_email=admin_email,
        admin_name=values.get("nom_administrateur", ""),
    )
    return row, None, RowProblem(line, notes) if notes else None


def _unusable_accounts(emails: set[str]) -> dict[str, str]:
    """Why each of these addresses cannot be invited as a member's administrator (the refusals of
    `membership_invite`, known before anything is written)."""
    accounts = User.objects.filter(email__in=emails).filter(~Q(staff_role="") | Q(is_active=False))
    return {
        email: _("%(email)s appartient à un membre de l'équipe de l'organisation.") % {"email": email}
        if staff_role
        else _("Le compte de %(email)s est désactivé : réactivez-le ou invitez une autre adresse.") % {"email": email}
        for email, staff_role in accounts.values_list("email", "staff_role")
    }


def import_check(*, raw_rows: list[tuple[int, dict[str, str]]], organisation=None) -> ImportPreview:
    """Check every row against the file and the database, writing nothing."""
    organisation = organisation or connection.tenant
    scheme_field = "siret" if organisation.identity_scheme == IdentityScheme.SIRET else "member_number"
    identifiers = [_identifier_of(values, organisation) for _line, values in raw_rows]
    candidates = {identifier for identifier in identifiers if isinstance(identifier, str)}
    existing_by_identifier = {
        getattr(member, scheme_field): member for member in Member.objects.filter(**{f"{scheme_field}__in": candidates})
    }
    admin_emails = {values.get("email_administrateur", "").strip().lower() for _line, values in raw_rows}
    unusable_accounts = _unusable_accounts(admin_emails - {""})
    preview, seen = ImportPreview(raw_rows=raw_rows), {}
    for (line, values), identifier in zip(raw_rows, identifiers, strict=True):
        row, problem, note = _row_check(
            line,
            values,
            identifier=identifier,
            seen=seen,
            existing_by_identifier=existing_by_identifier,
            unusable_accounts=unusable_accounts,
        )
        if row:
            preview.rows.append(row)
        if problem:
            preview.errors.append(problem)
        if note:
            preview.notes.append(note)
    return preview


def import_parse(*, content: bytes, organisation=None) -> ImportPreview:
    """Read and check a whole file without writing anything."""
    return import_check(raw_rows=import_read(content=content, organisation=organisation), organisation=organisation)
