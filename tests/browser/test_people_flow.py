"""In Chromium on a phone: a member's administrator invites a contact who validates their access
(live strength meter), then a delegate acting for two members switches from one to the other."""

import re
import uuid

import pytest

from tests.browser.steps import committed, log_in, mail_to, new_page, watch
from tests.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=False)]

STRONG_PASSWORD = "lanterne verger 47 cormoran ondulé"


@pytest.fixture
def people_cleanup(organisations):
    """E-mails of the people this test creates; their accounts (and memberships) are deleted after it."""
    from core.accounts.models import User

    emails: list[str] = []
    yield emails
    committed(organisations["alpha"], lambda: User.objects.filter(email__in=emails).delete())


@pytest.fixture
def delegate_of_both(organisations, people_cleanup) -> str:
    """An external user (accounting firm) acting for M1 and M2 of alpha, committed for the live server."""
    from core.access.models import MembershipKind
    from core.access.services import membership_grant
    from core.accounts.models import User
    from core.members.models import Member

    email = f"cabinet-{uuid.uuid4().hex[:10]}@alpha.test"
    people_cleanup.append(email)

    def create():
        user = User.objects.create_user(email, PASSWORD, full_name="Cabinet du navigateur")
        for name in ("Société Un", "Société Deux"):
            membership_grant(actor=None, member=Member.objects.get(name=name), user=user, kind=MembershipKind.DELEGATE)

    committed(organisations["alpha"], create)
    return email


def test_invite_a_contact_then_a_delegate_switches_member(
    live_platform, browser_page, mail_sink, people_cleanup, delegate_of_both
):
    from playwright.sync_api import expect

    admin_page, base = browser_page, f"http://alpha.localhost:{live_platform}"
    browser = admin_page.context.browser
    problems: list[str] = []
    watch(admin_page, problems)
    contact_email = f"contact-{uuid.uuid4().hex[:10]}@alpha.test"
    people_cleanup.append(contact_email)

    # 1. M1's administrator invites a contact who may ask legal questions.
    log_in(admin_page, base, "m1-admin@alpha.test")
    admin_page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Utilisateurs").click()
    admin_page.get_by_role("heading", name="Utilisateurs de Société Un").wait_for()
    invite = admin_page.locator("form", has=admin_page.get_by_role("button", name="Envoyer l'invitation"))
    invite.get_by_label("Adresse e-mail").fill(contact_email)
    invite.get_by_label("Nom").fill("Camille Navigateur")
    invite.get_by_label("Contact de l'adhérent").check()
    invite.get_by_label("Rôle", exact=True).select_option(label="Utilisateur")
    invite.get_by_label("Poser des questions juridiques").check()
    invite.get_by_role("button", name="Envoyer l'invitation").click()
    expect(admin_page.get_by_role("status")).to_contain_text(f"Invitation envoyée à {contact_email}")
    row = admin_page.get_by_role("row").filter(has_text=contact_email)
    expect(row).to_contain_text("En attente de validation")
    expect(row).to_contain_text("Poser des questions juridiques")

    # 2. The contact opens the e-mailed link in a browser of their own and chooses a password.
    invitation = mail_to(mail_sink, contact_email)
    link = re.search(r"http://\S+/acces/validation/\S+/", invitation.body).group(0)
    assert link.startswith(f"{base}/acces/validation/")
    contact_context, contact_page = new_page(browser, problems)
    try:
        contact_page.goto(link)
        contact_page.get_by_role("heading", name="Votre accès à Société Un").wait_for()
        password = contact_page.get_by_label("Mot de passe", exact=True)
        meter = contact_page.locator("#password-meter")
        expect(meter).to_have_attribute("aria-live", "polite")
        expect(meter).to_have_text("")
        # Typed key by key, as a person does; then filled at once, as a password manager does.
        password.press_sequentially("soleil", delay=20)
        expect(meter).to_contain_text("Encore 6 caractères au minimum.")
        expect(meter).to_contain_text("Force :")
        password.fill(STRONG_PASSWORD)
        expect(meter).to_contain_text("Ce mot de passe convient.")
        expect(meter).not_to_contain_text("Encore")
        contact_page.get_by_label("Confirmation").fill(STRONG_PASSWORD)
        contact_page.get_by_role("button", name="Valider mon accès").click()
        expect(contact_page.get_by_role("status")).to_contain_text("Votre accès à Société Un est validé. Bienvenue !")
        expect(contact_page.get_by_role("link", name=f"Mon compte : {contact_email}")).to_be_visible()
        contact_page.get_by_role("link", name=f"Mon compte : {contact_email}").click()
        contact_page.get_by_role("heading", name="Mon compte").wait_for()
        expect(contact_page.get_by_role("main")).to_contain_text(contact_email)
    finally:
        contact_context.close()

    # 3. Back with the administrator: the contact is now active.
    admin_page.reload()
    row = admin_page.get_by_role("row").filter(has_text=contact_email)
    expect(row.get_by_text("Actif", exact=True)).to_be_visible()
    expect(row).not_to_contain_text("En attente de validation")

    # 4. A delegate acting for two members changes member from the header.
    delegate_context, delegate_page = new_page(browser, problems)
    try:
        log_in(delegate_page, base, delegate_of_both)
        delegate_page.goto(f"{base}/adherents/fiche/")
        switcher = delegate_page.get_by_label("Vous agissez pour")
        expect(switcher.locator("option")).to_have_text(["Société Deux", "Société Un"])
        first = switcher.locator("option:checked").inner_text()
        other = "Société Un" if first == "Société Deux" else "Société Deux"
        expect(delegate_page.get_by_role("heading", level=1)).to_contain_text(first)
        switcher.select_option(label=other)
        delegate_page.get_by_role("button", name="Changer d'adhérent").click()
        expect(delegate_page.get_by_role("status")).to_contain_text(f"Vous agissez maintenant pour {other}.")
        assert delegate_page.url == f"{base}/adherents/fiche/"  # back on the page it switched from
        expect(delegate_page.get_by_role("heading", level=1)).to_contain_text(other)
        expect(delegate_page.get_by_role("heading", level=1)).not_to_contain_text(first)
        expect(delegate_page.get_by_label("Vous agissez pour").locator("option:checked")).to_have_text(other)
        # The choice holds for the next pages, not only the one it was made on.
        delegate_page.goto(f"{base}/acces/changer-adherent/")
        current = delegate_page.get_by_role("listitem").filter(has_text="Adhérent actuel")
        expect(current).to_contain_text(other)
    finally:
        delegate_context.close()

    assert not problems, "\n".join(problems)
