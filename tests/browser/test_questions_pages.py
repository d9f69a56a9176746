"""In Chromium on a phone (390×844): every page of the questions module fits the screen's width
and reports no script error, failed load or CSP violation, each seen by the person it is for."""

import pytest

from tests.browser.steps import committed, log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=False)]

# Long words and names are what push a phone page sideways.
LONG_SUBJECT = "Renouvellement de la période d'essai du directeur administratif et financier " + "X" * 60
LONG_FILE = "contrat-de-travail-directeur-administratif-et-financier-avenant-numero-2-signe.pdf"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


def _questions_of_every_kind() -> None:
    """In alpha, for M1: an open question with an exchange, files and a callback to make, an
    answered question and a new one."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from modules.questions import services
    from modules.questions.models import SubTheme
    from tests.modules.questions.conftest import ask, user

    def pdf(name):
        return SimpleUploadedFile(name, PDF, content_type="application/pdf")

    jurist = user("jurist@alpha.test")
    sub_theme = SubTheme.objects.get(name="Période d'essai")
    exchanged = ask(
        subject=LONG_SUBJECT,
        body="Peut-on renouveler la période d'essai d'un cadre ?\n" + "Y" * 120,
        theme_id=sub_theme.theme_id,
        sub_theme_id=sub_theme.pk,
        attachments=[pdf(LONG_FILE)],
        callback_phone="01 23 45 67 89",
        callback_slot="morning",
    )
    services.question_assign(actor=jurist, question=exchanged, assignee=jurist)
    link = "https://www.legifrance.gouv.fr/" + "z" * 80
    services.question_info_request(
        actor=jurist,
        question=exchanged,
        body=f"<p>Joignez le <strong>contrat</strong> et l'accord de branche : {link}</p>",
        attachments=[pdf("modele-accord.pdf")],
    )
    services.question_reply(
        actor=user("m1-admin@alpha.test"), question=exchanged, body="Voici l'accord.", attachments=[pdf(LONG_FILE)]
    )
    answered = ask(subject="Congés payés et arrêt maladie")
    services.question_assign(actor=jurist, question=answered, assignee=jurist)
    services.question_answer(actor=jurist, question=answered, body="<p>Oui, <em>reportés</em>.</p>")
    ask(subject="Visite de reprise")


def test_every_page_fits_a_phone(live_platform, browser_page, organisations, written_rows_cleanup, tmp_path):
    from playwright.sync_api import expect

    committed(organisations["alpha"], _questions_of_every_kind)
    base = f"http://alpha.localhost:{live_platform}"
    problems: list[str] = []
    too_wide: dict[str, int] = {}

    def looked_at(page, name: str) -> None:
        """One page, whole (a single h1), as wide as the phone at most; a screenshot to look at."""
        expect(page.locator("h1")).to_have_count(1)
        page.screenshot(path=tmp_path / f"{name}.png", full_page=True)
        extra = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        if extra > 0:
            too_wide[name] = extra

    def visit(page, name: str, path: str) -> None:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, f"{path}: {response.status}"
        looked_at(page, name)

    def as_person(email: str):
        context, page = new_page(browser_page.context.browser, problems)
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        log_in(page, base, email)
        return context, page

    context, page = as_person("m1-admin@alpha.test")
    visit(page, "historique", "/questions/")
    # A question opens from the history as a page of its own.
    page.get_by_role("link", name=LONG_SUBJECT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LONG_SUBJECT)
    looked_at(page, "question-adherent")
    question_path = page.url.removeprefix(base)
    visit(page, "nouvelle-question", "/questions/nouvelle/")
    context.close()

    context, page = as_person("jurist@alpha.test")
    visit(page, "a-traiter", "/questions/a-traiter/")
    visit(page, "question-juriste", question_path)
    expect(page.get_by_role("region", name="Traitement par les juristes")).to_be_visible()
    visit(page, "rappels", "/questions/rappels/")
    visit(page, "statistiques", "/questions/statistiques/")
    context.close()

    context, page = as_person("admin@alpha.test")
    visit(page, "themes", "/questions/themes/")
    context.close()

    assert too_wide == {}, f"pages wider than the phone (pixels too many); screenshots in {tmp_path}"
    assert problems == []
