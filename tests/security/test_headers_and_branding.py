"""Response headers, cookie flags, alternating hosts on one connection, and the logo."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.errors import DomainError
from tenants.services import OrganisationInput, organisation_create

pytestmark = pytest.mark.django_db


def png_bytes(colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_pages_carry_security_headers_and_cookie_flags(organisations, client_for, alpha):
    client = client_for(alpha)
    response = client.post(
        "/compte/connexion/", {"username": "admin@alpha.test", "password": "correct horse battery staple"}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["domain"]
    page = client.get("/")
    assert (
        "script-src 'self'" in page["Content-Security-Policy"]
        and "frame-ancestors 'none'" in page["Content-Security-Policy"]
    )
    assert page["X-Content-Type-Options"] == "nosniff" and page["X-Frame-Options"] == "DENY"
    assert "onsubmit=" not in page.content.decode() and "onclick=" not in page.content.decode()


def test_alternating_hosts_on_one_connection_never_mix(organisations, client_for, alpha, beta):
    clients = {"alpha": client_for(alpha, "admin@alpha.test"), "beta": client_for(beta, "admin@beta.test")}
    for slug in ["alpha", "beta", "alpha", "alpha", "beta", "alpha", "beta", "beta"]:
        page = clients[slug].get("/").content.decode()
        other = "beta" if slug == "alpha" else "alpha"
        assert f"admin@{slug}.test" in page and f"admin@{other}.test" not in page


def test_logo_is_checked_stored_per_organisation_and_served_on_its_host(
    organisations, client_for, beta, django_capture_on_commit_callbacks
):
    logo = SimpleUploadedFile("logo.gif", png_bytes(), content_type="image/gif")  # the name lies: content wins
    with django_capture_on_commit_callbacks(execute=True):
        organisation = organisation_create(
            actor=None,
            data=OrganisationInput(
                name="Logo SA",
                slug="logo-sa",
                kind="other",
                identity_scheme="siret",
                admin_email="a@logo.test",
                logo=logo,
            ),
        )
    assert organisation.logo.name == "branding/logo.png"
    response = client_for(organisation).get("/logo/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    assert client_for(beta).get("/logo/").status_code == 404  # beta has none, and never sees logo-sa's


@pytest.mark.parametrize(
    "name, content",
    [
        ("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("logo.png", b"MZ\x90\x00 not an image"),
        ("logo.png", b""),
    ],
)
def test_disguised_or_empty_logo_is_refused(organisations, name, content):
    with pytest.raises(DomainError) as refused:
        organisation_create(
            actor=None,
            data=OrganisationInput(
                name="Bad Logo",
                slug="bad-logo",
                kind="other",
                identity_scheme="siret",
                admin_email="a@bad.test",
                logo=SimpleUploadedFile(name, content),
            ),
        )
    assert refused.value.errors["logo"] == ["Le logo doit être une image PNG, JPEG ou WebP."]
