"""Uploading, listing and downloading documents: checks, storage per tenant, who may see what."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.audit.models import AuditEntry
from core.documents.models import Document
from core.errors import DomainError
from core.members.models import Member
from core.notifications.models import Notification
from tests.core.documents.conftest import ELF, HTML, PDF, PNG, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

REFUSED_TYPE = "Ce type de fichier n&#x27;est pas accepté."
TOO_LARGE = "Le fichier dépasse la taille maximale autorisée (10 Mo)."
BODY_TOO_LARGE = "L&#x27;envoi dépasse la taille autorisée : 1 fichier de 10 Mo au plus."


def member_id(organisation, name: str = "Société Un") -> int:
    with tenant_context(organisation):
        return Member.objects.get(name=name).pk


def files_under(organisation) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / organisation.schema_name / "documents"
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def post_upload(client, organisation, *, name: str, content: bytes, title: str = "", member: str = "Société Un"):
    return client.post(
        f"/documents/adherent/{member_id(organisation, member)}/ajouter/",
        {"title": title, "category": "general", "file": upload(name, content)},
    )


def test_staff_upload_stores_under_the_tenant_with_a_generated_name(organisations, alpha, client_for):
    before = set(files_under(alpha))
    response = post_upload(client_for(alpha, "admin@alpha.test"), alpha, name="../../Procès-verbal.pdf", content=PDF)
    assert response.status_code == 302
    with tenant_context(alpha):
        document = Document.objects.get()
        assert document.title == "Procès-verbal" and document.original_name == "Procès-verbal.pdf"
        assert document.content_type == "application/pdf" and document.size == len(PDF)
        assert document.uploaded_by.email == "admin@alpha.test"
        stored = Path(document.file.path)
        # The members of M1 who may see documents hear about it; the journal has it.
        assert list(Notification.objects.values_list("user__email", "subject")) == [
            ("m1-admin@alpha.test", "Nouveau document : Procès-verbal")
        ]
        assert AuditEntry.objects.filter(action="document.add", member_id=document.member_id).exists()
    assert stored.parent == Path(settings.MEDIA_ROOT) / "alpha" / "documents" / str(document.member_id)
    assert "Proc" not in stored.name and stored.suffix == ".pdf" and len(stored.stem) == 32
    assert stored.read_bytes() == PDF
    assert set(files_under(alpha)) - before == {stored}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("rapport.pdf", HTML, REFUSED_TYPE),
        ("rapport.pdf", ELF, REFUSED_TYPE),
        ("photo.pdf", PNG, "Le contenu du fichier (PNG) ne correspond pas à son extension « .pdf »."),
        ("vide.pdf", b"", "Le fichier est vide."),
    ],
)
def test_disguised_or_empty_files_are_refused_and_nothing_is_written(
    organisations, alpha, client_for, name, content, message
):
    before = files_under(alpha)
    response = post_upload(client_for(alpha, "admin@alpha.test"), alpha, name=name, content=content)
    assert response.status_code == 200
    assert message in response.content.decode()
    with tenant_context(alpha):
        assert not Document.objects.exists() and not Notification.objects.exists()
    assert files_under(alpha) == before


def test_oversize_is_refused_without_keeping_the_file(organisations, alpha, client_for):
    client = client_for(alpha, "admin@alpha.test")
    response = post_upload(client, alpha, name="gros.pdf", content=PDF + b"0" * (10 * 1024 * 1024))
    assert response.status_code == 200 and TOO_LARGE in response.content.decode()
    # Far beyond the limit: refused from the request's length, before reading the body.
    response = post_upload(client, alpha, name="enorme.pdf", content=PDF + b"0" * (11 * 1024 * 1024))
    assert response.status_code == 413 and BODY_TOO_LARGE in response.content.decode()
    with tenant_context(alpha):
        assert not Document.objects.exists()


def test_a_malformed_length_is_no_server_error(organisations, alpha, client_for):
    path = f"/documents/adherent/{member_id(alpha)}/ajouter/"
    response = client_for(alpha, "admin@alpha.test").post(path, {"category": "general"}, CONTENT_LENGTH="beaucoup")
    assert response.status_code < 500
    with tenant_context(alpha):
        assert not Document.objects.exists()


def test_the_service_refuses_oversize_too(organisations, alpha):
    from core.accounts.models import User
    from core.documents.services import document_add

    with tenant_context(alpha):
        big = upload("gros.pdf", PDF + b"0" * (10 * 1024 * 1024))
        with pytest.raises(DomainError) as refused:
            document_add(actor=User.objects.get(email="admin@alpha.test"), member=Member.objects.first(), file=big)
    assert refused.value.message == TOO_LARGE


def test_spreadsheet_is_accepted(organisations, alpha, add_document):
    document = add_document(alpha, name="effectif.xlsx", content=xlsx_bytes())
    assert document.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_member_users_cannot_upload(organisations, alpha, client_for):
    for email in ("m1-admin@alpha.test", "m1-delegate@alpha.test"):
        response = post_upload(client_for(alpha, email), alpha, name="a.pdf", content=PDF)
        assert response.status_code == 404
    with tenant_context(alpha):
        assert not Document.objects.exists()


def test_download_is_an_attachment_with_nosniff(organisations, alpha, client_for, add_document):
    document = add_document(alpha, name="Procès-verbal « AG ».pdf")
    for email in ("admin@alpha.test", "m1-admin@alpha.test"):
        response = client_for(alpha, email).get(f"/documents/{document.pk}/telecharger/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=utf-8''Proc%C3%A8s-verbal%20%C2%AB%20AG%20%C2%BB.pdf" in disposition


def test_an_ascii_name_with_quotes_cannot_break_the_header(organisations, alpha, client_for, add_document):
    document = add_document(alpha, name='a"; filename=evil.html.pdf')
    response = client_for(alpha, "admin@alpha.test").get(f"/documents/{document.pk}/telecharger/")
    assert response["Content-Disposition"] == 'attachment; filename="a\\"; filename=evil.html.pdf"'


def test_other_members_and_people_without_the_right_get_404(organisations, alpha, client_for, add_document):
    document = add_document(alpha)
    path = f"/documents/{document.pk}/telecharger/"
    for email in ("m2-admin@alpha.test", "m1-user@alpha.test", "m1-delegate@alpha.test"):
        assert client_for(alpha, email).get(path).status_code == 404
    assert client_for(alpha).get(path).status_code == 302  # anonymous: to the login page
    assert client_for(alpha, "m1-user@alpha.test").get("/documents/").status_code == 403


def test_a_document_of_another_tenant_is_never_served(organisations, alpha, beta, client_for, add_document):
    foreign = add_document(beta, name="secret-beta.pdf", content=PDF + b"beta only")
    with tenant_context(alpha):
        assert not Document.objects.filter(pk=foreign.pk).exists()
    for email in ("admin@alpha.test", "m1-admin@alpha.test"):
        assert client_for(alpha, email).get(f"/documents/{foreign.pk}/telecharger/").status_code == 404
    assert (Path(settings.MEDIA_ROOT) / "beta" / foreign.file.name).exists()
    assert client_for(beta, "admin@beta.test").get(f"/documents/{foreign.pk}/telecharger/").status_code == 200


def test_list_shows_the_active_members_documents_only(organisations, alpha, client_for, add_document, membership_of):
    add_document(alpha, title="Statuts de M1")
    add_document(alpha, "Société Deux", title="Statuts de M2")
    page = client_for(alpha, "m1-admin@alpha.test").get("/documents/").content.decode()
    assert "Statuts de M1" in page and "Statuts de M2" not in page and "Supprimer" not in page
    user = membership_of(alpha, "m1_user")
    with tenant_context(alpha):
        user.rights = ["members.view_documents"]
        user.save(update_fields=["rights"])
    assert "Statuts de M1" in client_for(alpha, "m1-user@alpha.test").get("/documents/").content.decode()
    staff_page = client_for(alpha, "admin@alpha.test").get("/documents/").content.decode()
    assert "Statuts de M1" in staff_page and "Statuts de M2" in staff_page


def test_staff_delete_a_document_and_its_file(
    organisations, alpha, client_for, add_document, django_capture_on_commit_callbacks
):
    document = add_document(alpha)
    with tenant_context(alpha):
        stored = Path(document.file.path)
    assert client_for(alpha, "m1-admin@alpha.test").post(f"/documents/{document.pk}/supprimer/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alpha, "admin@alpha.test").post(f"/documents/{document.pk}/supprimer/")
    assert response.status_code == 302
    with tenant_context(alpha):
        assert not Document.objects.exists()
        assert AuditEntry.objects.filter(action="document.delete").exists()
    assert not stored.exists()


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("email", ["admin@alpha.test", "m1-admin@alpha.test"])
def test_list_query_count_does_not_grow_with_documents(organisations, alpha, client_for, add_document, email):
    add_document(alpha)
    client = client_for(alpha, email)
    one = _count(client, "/documents/")
    for index in range(15):
        add_document(alpha, title=f"Document {index}")
    assert _count(client, "/documents/") == one


def test_the_upload_handler_drops_a_file_past_the_limit_without_buffering_it():
    from django.core.files.uploadhandler import MemoryFileUploadHandler
    from django.test import RequestFactory

    from core.documents.uploads import SizeLimitUploadHandler

    request = RequestFactory().post(
        "/", {"title": "avant le fichier", "file": upload("gros.pdf", PDF + b"0" * 300_000)}
    )
    request.upload_handlers = [SizeLimitUploadHandler(request, limit=100_000), MemoryFileUploadHandler(request)]
    assert "file" not in request.FILES
    assert request.POST["title"] == "avant le fichier"
    assert request.upload_too_large is True


def _render_member_documents(organisation, email: str, member_name: str = "Société Un") -> str:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from core.access.acting import active_membership_bind
    from core.accounts.models import User

    with tenant_context(organisation):
        request = RequestFactory().get("/adherents/1/")
        request.tenant, request.user = organisation, User.objects.get(email=email)
        active_membership_bind(request)
        member = Member.objects.get(name=member_name)
        return render_to_string("documents/_member_documents.html", {"member": member}, request=request)


def test_the_record_page_block_lists_documents_and_offers_upload_to_staff(organisations, alpha, add_document):
    add_document(alpha, title="Convention 2026")
    staff = _render_member_documents(alpha, "admin@alpha.test")
    assert "Convention 2026" in staff and 'enctype="multipart/form-data"' in staff and "Télécharger" in staff
    member_admin = _render_member_documents(alpha, "m1-admin@alpha.test")
    assert "Convention 2026" in member_admin and "multipart/form-data" not in member_admin
    assert _render_member_documents(alpha, "m1-user@alpha.test").strip() == ""  # no right: no block
    assert "Convention 2026" not in _render_member_documents(alpha, "m2-admin@alpha.test", "Société Un")


def test_upload_still_checks_csrf(organisations, alpha):
    from django.test import Client

    from tests.conftest import host_of
    from tests.world import PASSWORD

    client = Client(HTTP_HOST=host_of(alpha), enforce_csrf_checks=True)
    login_page = client.get("/compte/connexion/")
    token = login_page.cookies["csrftoken"].value
    client.post(
        "/compte/connexion/", {"username": "admin@alpha.test", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    path = f"/documents/adherent/{member_id(alpha)}/ajouter/"
    assert client.post(path, {"category": "general", "file": upload("a.pdf", PDF)}).status_code == 403
    token = client.cookies["csrftoken"].value
    response = client.post(path, {"csrfmiddlewaretoken": token, "category": "general", "file": upload("a.pdf", PDF)})
    assert response.status_code == 302
    with tenant_context(alpha):
        assert Document.objects.count() == 1
