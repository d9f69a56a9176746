"""The columns a members file may hold, by their French headers."""

from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext_lazy

from tenants.models import IdentityScheme


@dataclass(frozen=True)
class Column:
    key: str  # the column's header in the file
    label: str
    example: str
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("raison_sociale", gettext_lazy("Raison sociale (obligatoire)"), "Boulangerie Martin", ("nom",)),
    Column("siret", gettext_lazy("SIRET, 14 chiffres (organisations qui identifient par SIRET)"), "73282932000074"),
    Column(
        "numero_adherent",
        gettext_lazy("Numéro d'adhérent (organisations qui identifient par numéro)"),
        "0012345",
        ("numero", "n_adherent"),
    ),
    Column("forme_juridique", gettext_lazy("Forme juridique"), "SARL"),
    Column("code_naf", gettext_lazy("Code NAF/APE"), "10.71C", ("naf", "code_ape", "ape", "code_naf_ape")),
    Column("email", gettext_lazy("E-mail de contact"), "contact@boulangerie.fr", ("e_mail", "courriel")),
    Column("telephone", gettext_lazy("Téléphone"), "04 78 00 00 00", ("tel",)),
    Column("statut", gettext_lazy("Statut : adhérent, non adhérent, ancien adhérent"), "adhérent"),
    Column("adherent_depuis", gettext_lazy("Adhérent depuis (JJ/MM/AAAA)"), "01/01/2024"),
    Column("adherent_jusqu_au", gettext_lazy("Adhérent jusqu'au (JJ/MM/AAAA)"), ""),
    Column("adresse", gettext_lazy("Adresse du siège"), "12 rue de la République"),
    Column("complement_adresse", gettext_lazy("Complément d'adresse"), ""),
    Column("code_postal", gettext_lazy("Code postal du siège"), "69002"),
    Column("ville", gettext_lazy("Ville du siège"), "Lyon"),
    Column(
        "email_administrateur",
        gettext_lazy("E-mail de l'administrateur à inviter (nouveaux adhérents seulement)"),
        "gerant@boulangerie.fr",
    ),
    Column("nom_administrateur", gettext_lazy("Nom de l'administrateur invité"), "Marie Martin"),
)
HEADER_KEYS = {alias: column.key for column in COLUMNS for alias in (column.key, *column.aliases)}
ADDRESS_COLUMNS = ("adresse", "complement_adresse", "code_postal", "ville")


def identifier_column(organisation=None) -> str:
    organisation = organisation or connection.tenant
    return "siret" if organisation.identity_scheme == IdentityScheme.SIRET else "numero_adherent"


def columns_for(organisation=None) -> list[Column]:
    """The columns a file of this organisation may hold (one identifier column, per its scheme)."""
    unused = {"siret", "numero_adherent"} - {identifier_column(organisation)}
    return [column for column in COLUMNS if column.key not in unused]


MEMBER_COLUMNS = {
    "raison_sociale": "name",
    "forme_juridique": "legal_form",
    "code_naf": "naf_code",
    "email": "email",
    "telephone": "phone",
    "statut": "status",
    "adherent_depuis": "member_since",
    "adherent_jusqu_au": "member_until",
}
