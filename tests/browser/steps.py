"""Steps shared by the browser tests: committed data for the live server, pages, logging in, e-mails."""

import time

from tests.concurrency import in_own_connection
from tests.world import PASSWORD

PHONE = {"width": 390, "height": 844}


def committed(organisation, work):
    """Run `work()` in the organisation's schema on a connection of its own, so that the live
    server sees what it writes at once; its error is raised here."""
    outcome = in_own_connection(organisation, work)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def watch(page, problems: list[str]) -> None:
    """Collect what a page reports about CSP violations and uncaught script errors."""
    page.on(
        "console",
        lambda message: problems.append(f"{page.url}: {message.text}")
        if "Content Security Policy" in message.text
        else None,
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: uncaught {error}"))


def new_page(browser, problems: list[str]):
    """A fresh browser context (its own cookies), French, phone-sized."""
    context = browser.new_context(locale="fr-FR", viewport=PHONE)
    page = context.new_page()
    watch(page, problems)
    return context, page


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name=f"Mon compte : {email}").wait_for()


def mail_to(mail_sink, address: str, timeout: float = 10.0, containing: str = ""):
    """The latest e-mail to `address` whose body holds `containing`, waiting up to `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(mail_sink.messages):
            if message.recipients == (address,) and containing in message.body:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no e-mail reached {address}")
