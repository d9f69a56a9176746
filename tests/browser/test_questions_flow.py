"""In Chromium on a phone: a contact asks a legal question with an attachment, a jurist answers it
in the rich-text editor, the contact reads the answer and downloads the question as a PDF."""

import uuid

import pytest

from tests.browser.steps import log_in, mail_to, new_page, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=False)]


def test_ask_answer_read_and_download(live_platform, browser_page, mail_sink, written_rows_cleanup, tmp_path):
    from playwright.sync_api import expect

    page, base = browser_page, f"http://alpha.localhost:{live_platform}"
    problems: list[str] = []
    watch(page, problems)
    subject = f"Renouvellement de période d'essai {uuid.uuid4().hex[:6]}"
    contract = tmp_path / "contrat-de-travail.pdf"
    contract.write_bytes(b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # 1. M1's administrator asks, with the contract attached.
    log_in(page, base, "m1-admin@alpha.test")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Questions juridiques"
    ).click()
    page.get_by_role("link", name="Nouvelle question").click()
    page.get_by_label("Thème", exact=True).select_option(label="Contrat de travail")
    # The sub-themes follow the theme (htmx).
    expect(page.get_by_label("Sous-thème (facultatif)").locator("option", has_text="Période d'essai")).to_have_count(1)
    page.get_by_label("Sous-thème (facultatif)").select_option(label="Période d'essai")
    page.get_by_label("Sujet").fill(subject)
    page.get_by_label("Description détaillée").fill("Peut-on renouveler la période d'essai d'un cadre ?")
    page.get_by_label("Pièces jointes").set_input_files(str(contract))
    page.get_by_role("button", name="Envoyer ma question").click()
    expect(page.get_by_role("status")).to_contain_text("a bien été envoyée")
    expect(page.get_by_role("heading", level=1)).to_contain_text(subject)
    expect(page.get_by_role("main")).to_contain_text("À traiter")
    expect(page.get_by_role("link", name="contrat-de-travail.pdf")).to_be_visible()
    question_path = page.url.removeprefix(base)

    # 2. A jurist takes it from the queue and answers in the editor, bold included.
    jurist_context, jurist = new_page(page.context.browser, problems)
    try:
        log_in(jurist, base, "jurist@alpha.test")
        jurist.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Questions à traiter"
        ).click()
        jurist.get_by_role("link", name=subject).click()
        editor = jurist.locator("#answer_body_editor")  # the editor richtext.js puts over the textarea
        expect(editor).to_have_attribute("role", "textbox")
        editor.click()
        jurist.keyboard.type("Oui, une seule fois, si l'accord de branche le prévoit. ")
        jurist.get_by_role("button", name="Gras").click()
        jurist.keyboard.type("Accord écrit du salarié requis.")
        jurist.get_by_role("button", name="Envoyer la réponse").click()
        expect(jurist.get_by_role("status")).to_contain_text("Réponse envoyée")
        expect(jurist.get_by_role("main")).to_contain_text("Traitée")
    finally:
        jurist_context.close()

    # The asker is told by e-mail, with a link to the question (not the answer itself).
    email = mail_to(mail_sink, "m1-admin@alpha.test", containing=question_path)
    assert "notre réponse" in email.subject and subject in email.body and "Accord écrit" not in email.body

    # 3. The contact reads the answer (bold kept, nothing else) and downloads the PDF.
    page.goto(f"{base}{question_path}")
    expect(page.get_by_role("main")).to_contain_text("Traitée")
    expect(
        page.locator(".message-body :is(b, strong)").filter(has_text="Accord écrit du salarié requis.")
    ).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Imprimer / télécharger en PDF").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert download.suggested_filename.endswith(".pdf") and path.read_bytes().startswith(b"%PDF")
    assert problems == []
