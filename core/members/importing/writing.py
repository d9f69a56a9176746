"""Writing a checked file: every row in one transaction, or nothing."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.access.models import MemberRole
from core.access.services import membership_invite
from core.errors import DomainError

from ..models import Member
from ..services import address_set, member_create, member_update
from .checking import import_check
from .preview import ImportPreview, ImportRefused, ImportResult, ImportRow


def import_apply(*, actor, preview: ImportPreview, accept_url_template: str) -> ImportResult:
    """Write every row of a checked file in one transaction: all rows or none.

    The rows are checked again first, since the members may have changed since the preview: a
    row now in error, or that would now do something else than `preview.rows` showed (create
    instead of update, another member...), refuses the whole file.
    """
    with transaction.atomic():
        shown, preview = preview.rows, import_check(raw_rows=preview.raw_rows)
        if not preview.can_apply:
            raise ImportRefused(
                _("Le fichier contient des lignes en erreur : rien n'a été importé."),
                errors={"file": [f"{_('Ligne')} {problem.line} : {problem.message}" for problem in preview.errors]},
                code="import_refused",
            )
        if preview.rows != shown:
            message = _(
                "Les adhérents ont changé depuis la vérification du fichier : vérifiez ce que l'import ferait "
                "maintenant. Rien n'a été importé."
            )
            raise ImportRefused(message, errors={"file": [message]}, code="import_changed")
        invited = 0
        for row in preview.rows:
            try:
                invited += _row_write(actor=actor, row=row, accept_url_template=accept_url_template)
            except DomainError as error:
                where = _("Ligne %(line)d : %(message)s") % {"line": row.line, "message": error.message}
                raise ImportRefused(
                    _("%(where)s Rien n'a été importé.") % {"where": where},
                    errors={"file": [where]},
                    code="import_refused",
                ) from error
    return ImportResult(created=preview.to_create, updated=preview.to_update, invited=invited)


def _row_write(*, actor, row: ImportRow, accept_url_template: str) -> int:
    """Write one row; 1 if it invited an administrator."""
    if row.action == "create":
        member = member_create(actor=actor, **row.fields)
    else:
        member = member_update(actor=actor, member=Member.objects.get(pk=row.member_id), **row.fields)
    if row.address:
        address_set(actor=actor, member=member, **row.address)
    if row.action == "create" and row.admin_email:
        membership_invite(
            actor=actor,
            member=member,
            email=row.admin_email,
            full_name=row.admin_name,
            role=MemberRole.ADMINISTRATOR,
            accept_url_template=accept_url_template,
        )
        return 1
    return 0
