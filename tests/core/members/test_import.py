"""Import of members from CSV and XLSX: a preview that writes nothing, then all rows or none."""

import html
import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from django_tenants.utils import tenant_context
from openpyxl import Workbook

from core.access.models import MemberRole, Membership, MembershipState
from core.mail.models import OutgoingEmail
from core.members import importing
from core.members.importing import ImportRefused, import_apply, import_parse, reading, writing
from core.members.models import Address, Member
from tests.world import siret_for

pytestmark = pytest.mark.django_db

ACCEPT = "https://alpha.example/acces/validation/{token}/"
M1_SIRET = siret_for(101)  # Société Un, in tests.world
HEADER = (
    "raison_sociale;siret;forme_juridique;code_naf;email;telephone;statut;adherent_depuis;"
    "adresse;code_postal;ville;email_administrateur"
)


def csv_bytes(*lines: str, header: str = HEADER, bom: bool = True, delimiter: str = ";") -> bytes:
    text = "\n".join([header, *lines]).replace(";", delimiter) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


GOOD = csv_bytes(
    f"Boulangerie Martin;{siret_for(501)};SARL;1071C;contact@martin.fr;04 78 00 00 00;adhérent;01/01/2024;"
    "12 rue de la République;69002;Lyon;gerant@martin.fr",
    f"Transports Lefèvre;{siret_for(502)};SAS;4941A;;;non adhérent;;;;;",
    f"Société Un renommée;{M1_SIRET};;;;;Ancien adhérent;;;;;nouvel-admin@martin.fr",
)


def test_good_csv_preview_writes_nothing_then_apply_writes_everything(in_alpha):
    before = Member.objects.count()
    preview = import_parse(content=GOOD)
    assert (preview.to_create, preview.to_update, preview.errors, preview.can_apply) == (2, 1, [], True)
    assert [note.line for note in preview.notes] == [4]  # email_administrateur of an existing member
    assert Member.objects.count() == before

    result = import_apply(actor=None, preview=preview, accept_url_template=ACCEPT)

    assert (result.created, result.updated, result.invited) == (2, 1, 1)
    martin = Member.objects.get(siret=siret_for(501))
    assert (martin.name, martin.naf_code, martin.status, martin.member_since) == (
        "Boulangerie Martin",
        "10.71C",
        "member",
        date(2024, 1, 1),
    )
    assert Address.objects.get(member=martin, kind="head_office").city == "Lyon"
    invitation = Membership.objects.get(member=martin)
    assert (invitation.user.email, invitation.role, invitation.state) == (
        "gerant@martin.fr",
        MemberRole.ADMINISTRATOR,
        MembershipState.PENDING,
    )
    assert Member.objects.get(siret=siret_for(502)).status == "prospect"
    m1 = Member.objects.get(siret=M1_SIRET)
    assert (m1.name, m1.status, m1.email) == ("Société Un renommée", "former", "m1-contact@alpha.test")
    # The import never touches the people of an existing member.
    assert not Membership.objects.filter(user__email="nouvel-admin@martin.fr").exists()
    assert Membership.objects.filter(member=m1, role=MemberRole.ADMINISTRATOR).count() == 1


def test_comma_separated_csv_without_bom(in_alpha):
    content = csv_bytes(
        f"Garage Dupont,{siret_for(503)},,,,,,,,,,", header=HEADER.replace(";", ","), bom=False, delimiter=","
    )
    preview = import_parse(content=content)
    assert preview.to_create == 1 and not preview.errors


def test_good_xlsx(in_alpha):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Raison sociale", "SIRET", "Code NAF", "Adhérent depuis", "Statut"])
    # A SIRET typed as a number (no leading zero to lose) and a real date cell.
    sheet.append(["Imprimerie Roux", 73282932000074, "18.12Z", datetime(2023, 3, 15), "member"])
    sheet.append([None, None, None, None, None])  # blank rows are skipped
    sheet.append(["Menuiserie Blanc", siret_for(505), "", "15/09/2022", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)

    preview = import_parse(content=buffer.getvalue())

    assert (preview.to_create, preview.errors) == (2, [])
    import_apply(actor=None, preview=preview, accept_url_template=ACCEPT)
    roux = Member.objects.get(siret="73282932000074")
    assert (roux.naf_code, roux.member_since) == ("18.12Z", date(2023, 3, 15))
    assert Member.objects.get(siret=siret_for(505)).member_since == date(2022, 9, 15)


BAD = csv_bytes(
    f"Bonne ligne;{siret_for(510)};;;;;;;;;;",
    "Mauvaise clé;73282932000075;;;;;;;;;;",
    "Treize chiffres;7328293200007;;;;;;;;;;",
    f";{siret_for(511)};;;;;;;;;;",
    f"Statut inconnu;{siret_for(512)};;;;;sympathisant;;;;;",
    f"Date fausse;{siret_for(513)};;;;;;31/02/2024;;;;",
    f"Doublon;{siret_for(510)};;;;;;;;;;",
    f"NAF faux;{siret_for(514)};;62-01;;;;;;;;",
    f"Adresse partielle;{siret_for(515)};;;;;;;;6900;;",
    f"Administrateur équipe;{siret_for(516)};;;;;;;;;;admin@alpha.test",
)


def test_every_bad_row_is_listed_with_its_line_and_reason_and_nothing_is_written(in_alpha):
    before = Member.objects.count()
    preview = import_parse(content=BAD)
    reasons = {problem.line: problem.message for problem in preview.errors}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "clé de contrôle incorrecte" in reasons[3]
    assert "14 chiffres (13 saisis)" in reasons[4]
    assert "Raison sociale manquante" in reasons[5]
    assert "Statut inconnu : « sympathisant »" in reasons[6]
    assert "La date « 31/02/2024 » n'est pas valide" in reasons[7]
    assert f"Identifiant {siret_for(510)} déjà présent ligne 2 du fichier" in reasons[8]
    assert "Le code NAF/APE « 62-01 » n'a pas le format attendu" in reasons[9]
    assert "colonne adresse est vide" in reasons[10] and "5 chiffres" in reasons[10]
    assert "appartient à un membre de l'équipe" in reasons[11]
    assert not preview.can_apply
    with pytest.raises(ImportRefused) as refusal:
        import_apply(actor=None, preview=preview, accept_url_template=ACCEPT)
    assert "rien n'a été importé" in refusal.value.message
    assert Member.objects.count() == before


def test_a_failure_while_writing_rolls_back_every_row(in_alpha, monkeypatch):
    preview = import_parse(content=GOOD)
    assert preview.can_apply
    members, memberships, emails = Member.objects.count(), Membership.objects.count(), OutgoingEmail.objects.count()
    real_address_set = writing.address_set
    calls = []

    def failing_address_set(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:  # the first row's address: after its member and before its invitation
            from core.errors import DomainError

            raise DomainError("Panne simulée.")
        return real_address_set(**kwargs)

    monkeypatch.setattr(writing, "address_set", failing_address_set)
    with pytest.raises(ImportRefused) as refusal:
        import_apply(actor=None, preview=preview, accept_url_template=ACCEPT)
    assert refusal.value.message == "Ligne 2 : Panne simulée. Rien n'a été importé."
    assert (Member.objects.count(), Membership.objects.count(), OutgoingEmail.objects.count()) == (
        members,
        memberships,
        emails,
    )
    assert Member.objects.get(siret=M1_SIRET).name == "Société Un"


def test_a_failure_after_an_invitation_rolls_back_its_account_membership_and_email(in_alpha, monkeypatch):
    """The last row fails once the first row's administrator was invited and e-mailed: nothing stays."""
    from core.accounts.models import User
    from core.audit.models import AuditEntry
    from core.errors import DomainError

    preview = import_parse(content=GOOD)
    counts = [model.objects.count() for model in (Member, Membership, User, OutgoingEmail, AuditEntry)]
    invited = []
    real_invite = writing.membership_invite

    def counting_invite(**kwargs):
        invited.append(real_invite(**kwargs))
        return invited[-1]

    def failing_update(**kwargs):
        assert invited and OutgoingEmail.objects.filter(to="gerant@martin.fr").exists()
        raise DomainError("Panne simulée.")

    monkeypatch.setattr(writing, "membership_invite", counting_invite)
    monkeypatch.setattr(writing, "member_update", failing_update)
    with pytest.raises(ImportRefused) as refusal:
        import_apply(actor=None, preview=preview, accept_url_template=ACCEPT)
    assert refusal.value.message == "Ligne 4 : Panne simulée. Rien n'a été importé."
    assert [model.objects.count() for model in (Member, Membership, User, OutgoingEmail, AuditEntry)] == counts
    assert not User.objects.filter(email="gerant@martin.fr").exists()


def test_an_inactive_account_cannot_be_invited_and_the_preview_says_so(in_alpha):
    from core.accounts.models import User

    User.objects.create_user("gerant@martin.fr", None, is_active=False)
    preview = import_parse(content=GOOD)
    assert [(problem.line, problem.message) for problem in preview.errors] == [
        (2, "Le compte de gerant@martin.fr est désactivé : réactivez-le ou invitez une autre adresse.")
    ]


def test_rows_that_would_do_something_else_than_the_preview_showed_write_nothing(in_alpha):
    """Between the preview and the confirmation someone registers a member the file would create."""
    from core.members.services import member_create

    preview = import_parse(content=GOOD)
    member_create(actor=None, name="Transports Lefèvre", identifier=siret_for(502))
    with pytest.raises(ImportRefused) as refusal:
        import_apply(actor=None, preview=preview, accept_url_template=ACCEPT)
    assert refusal.value.code == "import_changed"
    assert "Les adhérents ont changé depuis la vérification du fichier" in refusal.value.message
    assert not Member.objects.filter(siret=siret_for(501)).exists()
    assert Member.objects.get(siret=M1_SIRET).name == "Société Un"


def test_a_row_that_became_wrong_since_the_preview_refuses_the_whole_file(in_alpha):
    preview = import_parse(content=GOOD)
    # Meanwhile, someone makes the future administrator a member of staff.
    from core.accounts.models import User

    User.objects.create_user("gerant@martin.fr", None, staff_role="jurist")
    with pytest.raises(ImportRefused) as refusal:
        import_apply(actor=None, preview=preview, accept_url_template=ACCEPT)
    assert "Ligne 2 : gerant@martin.fr appartient à un membre de l'équipe" in refusal.value.errors["file"][0]
    assert not Member.objects.filter(siret=siret_for(501)).exists()


@pytest.mark.parametrize(
    "content, says",
    [
        ("raison_sociale;siret\nCafé;1\n".encode("cp1252"), "n'est pas encodé en UTF-8"),
        (b"raison_sociale;siret;couleur\nA;1;bleu\n", "colonne inconnue « couleur »"),
        (b"raison_sociale;forme_juridique\nA;SARL\n", "colonne « siret » manquante"),
        (b"raison_sociale;numero_adherent\nA;0012345\n", "colonne inconnue « numero_adherent »"),
        (b"raison_sociale;siret;Raison Sociale\nA;1;B\n", "en double"),
        (b"raison_sociale;siret\n", "aucun adhérent"),
        (b"", "vide"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "format .xls"),
        (b"PK\x03\x04 not really a zip", "illisible"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_in_french(in_alpha, content, says):
    with pytest.raises(ImportRefused) as refusal:
        import_parse(content=content)
    assert says in refusal.value.message


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"])
def test_an_xlsx_with_a_broken_part_is_refused_not_a_500(in_alpha, part):
    import zipfile

    workbook = Workbook()
    workbook.active.append(["raison_sociale", "siret"])
    workbook.active.append(["Entreprise", siret_for(640)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(broken, "w") as target:
        for name in source.namelist():
            target.writestr(name, b"<pas du xml" if name == part else source.read(name))
    with pytest.raises(ImportRefused) as refusal:
        import_parse(content=broken.getvalue())
    assert "Ce fichier Excel est illisible" in refusal.value.message


def test_size_and_row_limits(in_alpha, monkeypatch):
    with pytest.raises(ImportRefused) as too_big:
        import_parse(content=b"x" * (importing.MAX_FILE_BYTES + 1))
    assert "dépasse 2 Mo" in too_big.value.message
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    rows = [f"Entreprise {n};{siret_for(600 + n)};;;;;;;;;;" for n in range(3)]
    with pytest.raises(ImportRefused) as too_long:
        import_parse(content=csv_bytes(*rows))
    assert "plus de 2 adhérents" in too_long.value.message
    assert import_parse(content=csv_bytes(*rows[:2])).to_create == 2


def test_a_long_xlsx_is_refused_even_with_blank_rows_in_between(in_alpha, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["raison_sociale", "siret"])
    for number in range(4):
        sheet.append([f"Entreprise {number}", siret_for(620 + number)])
        sheet.append([None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportRefused) as too_long:
        import_parse(content=buffer.getvalue())
    assert "plus de 3 adhérents" in too_long.value.message


@pytest.mark.parametrize("written", ["non-adhérent", "NON ADHERENT", "prospect", "non_adherent"])
def test_statuses_are_read_as_people_write_them(in_alpha, written):
    preview = import_parse(content=csv_bytes(f"Entreprise;{siret_for(630)};;;;;{written};;;;;"))
    assert preview.errors == [] and preview.rows[0].fields["status"] == written
    import_apply(actor=None, preview=preview, accept_url_template=ACCEPT)
    assert Member.objects.get(siret=siret_for(630)).status == "prospect"


def test_member_number_organisations_import_by_number(in_beta):
    content = b"raison_sociale;numero_adherent;statut\nGarage;0012345;ancien\nAtelier;12345;\n"
    preview = import_parse(content=content)
    assert preview.to_create == 1
    assert [(problem.line, "format attendu" in problem.message) for problem in preview.errors] == [(3, True)]


# Through the pages


def text(response) -> str:
    """The page as a person reads it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


def upload(client, content: bytes, name: str = "adherents.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("members:import"), {"file": file})


def test_staff_upload_preview_then_confirm(staff_client, client_for, alpha):
    page = staff_client.get(reverse("members:import"))
    assert "email_administrateur" in page.content.decode() and "raison_sociale;siret" in page.content.decode()
    preview = upload(staff_client, GOOD)
    body = text(preview)
    assert preview.status_code == 200
    assert "2 adhérents à créer" in body and "1 adhérent à mettre à jour" in body and "Aucune ligne en erreur" in body
    with tenant_context(alpha):
        assert not Member.objects.filter(siret=siret_for(501)).exists()
    import_id = preview.context["import_id"]
    # Another member of staff, with the id, cannot confirm what they were not shown.
    colleague = client_for(alpha, "jurist@alpha.test")
    other = colleague.post(reverse("members:import_confirm"), {"import_id": import_id}, follow=True)
    assert "Cet import n'est plus disponible" in text(other)
    with tenant_context(alpha):
        assert not Member.objects.filter(siret=siret_for(501)).exists()

    done = staff_client.post(reverse("members:import_confirm"), {"import_id": import_id}, follow=True)

    assert "Import terminé : 2 adhérent(s) créé(s), 1 mis à jour, 1 invitation(s) envoyée(s)." in text(done)
    with tenant_context(alpha):
        assert Member.objects.filter(siret=siret_for(501)).exists()
    # The same preview cannot be confirmed twice.
    again = staff_client.post(reverse("members:import_confirm"), {"import_id": import_id}, follow=True)
    assert "Cet import n'est plus disponible" in text(again)


def test_a_file_with_bad_rows_cannot_be_confirmed_from_the_page(staff_client, alpha):
    preview = upload(staff_client, BAD)
    body = text(preview)
    assert "9 lignes en erreur" in body and "Confirmer l'import" not in body
    assert "Statut inconnu : « sympathisant »" in body
    assert preview.context["import_id"] is None
    forced = staff_client.post(reverse("members:import_confirm"), {"import_id": "deviné"}, follow=True)
    assert "Cet import n'est plus disponible" in text(forced)
    with tenant_context(alpha):
        assert not Member.objects.filter(siret=siret_for(510)).exists()


def test_an_unreadable_upload_shows_the_reason_on_the_form(staff_client):
    response = upload(staff_client, b"raison_sociale;couleur\nA;bleu\n")
    assert response.status_code == 400
    assert "colonne inconnue « couleur »" in text(response)


def test_member_people_cannot_import(person_client):
    client = person_client("m1_admin")
    assert client.get(reverse("members:import")).status_code == 403
    assert upload(client, GOOD).status_code == 403


def test_a_preview_cannot_be_confirmed_once_the_members_changed(staff_client, alpha):
    preview = upload(staff_client, GOOD)
    with tenant_context(alpha):
        from core.members.services import member_create

        member_create(actor=None, name="Transports Lefèvre", identifier=siret_for(502))
    response = staff_client.post(reverse("members:import_confirm"), {"import_id": preview.context["import_id"]})
    body = text(response)
    assert response.status_code == 400
    assert "Les adhérents ont changé depuis la vérification du fichier" in body
    # What the file would do now: Transports Lefèvre is an update.
    assert "1 adhérent à créer" in body and "2 adhérents à mettre à jour" in body
    assert "Confirmer l'import" not in body
    with tenant_context(alpha):
        assert not Member.objects.filter(siret=siret_for(501)).exists()


def test_an_oversize_upload_is_refused_before_it_is_read(staff_client, monkeypatch):
    from core.members import import_views

    reads = []
    monkeypatch.setattr(import_views, "import_parse", lambda **kwargs: reads.append(kwargs))
    # Just past the limit: the upload handler drops the file as it arrives, unread.
    just_past = upload(staff_client, b"x" * (importing.MAX_FILE_BYTES + 1))
    assert just_past.status_code == 400 and "Le fichier dépasse 2 Mo" in text(just_past)
    # Far past it: refused from the request's length, before reading the body.
    far_past = upload(staff_client, b"x" * (importing.MAX_FILE_BYTES + import_views.FORM_OVERHEAD + 1))
    assert far_past.status_code == 413 and "Le fichier dépasse 2 Mo" in text(far_past)
    assert reads == []
