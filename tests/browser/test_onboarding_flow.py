"""In Chromium: an operator onboards an organisation, its administrator accepts the invitation
and switches a module off (htmx), which then vanishes from the menu and answers 404."""

import re
import uuid
from pathlib import Path

import pytest

from tests.conftest import OPERATOR_EMAIL, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=False)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_onboard_then_toggle_a_module(live_platform, browser_page, mail_sink, django_db_blocker):
    page, port = browser_page, live_platform
    slug = f"web-{uuid.uuid4().hex[:8]}"
    console = f"http://localhost:{port}"

    page.goto(f"{console}/")
    page.get_by_label("Adresse e-mail").fill(OPERATOR_EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Nouvelle organisation").click()

    page.get_by_label("Nom de l'organisation").fill("Union du navigateur")
    page.get_by_label("Identifiant (sous-domaine)").fill(slug)
    page.get_by_label("Type").select_option("employers_union")
    page.get_by_label("Questions juridiques").check()
    page.get_by_label("Cotisations et factures").check()
    page.get_by_label("E-mail du premier administrateur").fill(f"admin@{slug}.test")
    page.get_by_role("button", name="Créer l'organisation").click()
    page.get_by_text(f"{slug}.localhost").first.wait_for()
    assert "Union du navigateur" in page.content()

    invitation = next(m for m in reversed(mail_sink.messages) if m.recipients == (f"admin@{slug}.test",))
    link = re.search(r"http://\S+/compte/invitation/\S+/", invitation.body).group(0)
    page.goto(link)
    page.get_by_label("Mot de passe", exact=True).fill("une phrase de passe du navigateur")
    page.get_by_label("Confirmation").fill("une phrase de passe du navigateur")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Bienvenue sur l'espace adhérent Union du navigateur").wait_for()
    nav = page.get_by_role("navigation", name="Navigation principale")
    assert nav.get_by_role("link", name="Questions").is_visible()

    nav.get_by_role("link", name="Modules").click()
    card = page.locator("#module-questions")
    card.get_by_role("button", name=re.compile("Désactiver")).click()
    card.get_by_text("Désactivé").wait_for()  # swapped in place by htmx
    assert nav.get_by_role("link", name="Questions").count() == 0  # the menu too, out of band
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "modules-phone.png"), full_page=True)

    page.goto(f"http://{slug}.localhost:{port}/")
    assert (
        page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Questions").count() == 0
    )
    response = page.goto(f"http://{slug}.localhost:{port}/questions/")
    assert response.status == 404 and "Page introuvable" in page.content()

    # An unknown organisation gets the platform page, not someone else's space.
    response = page.goto(f"http://nobody-{slug}.localhost:{port}/")
    assert response.status == 404 and "Espace introuvable" in page.content()


def test_api_docs_render_from_our_own_files(live_platform, browser_page, organisations):
    """Swagger UI loads under the CSP (no CDN) and lists the organisation's enabled modules only."""
    page, port = browser_page, live_platform
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"http://alpha.localhost:{port}/compte/connexion/?next=/api/docs/")
    page.get_by_label("Adresse e-mail").fill("admin@alpha.test")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("/api/questions/").first.wait_for()
    assert page.get_by_text("/api/health/").count() == 0
    assert not [text for text in console if "Content Security Policy" in text]
