"""In Chromium on a phone: a member fills the data sheet, staff run the annual invoicing, the member
pays the cotisation through Stripe Checkout on the local Stripe-speaking server (localpay), comes
back to a page that turns to "Paiement reçu" when the webhook lands, and sees the invoice paid and
the balance at zero.

The live platform serves alpha on alpha.localhost:<port>; localpay delivers its signed webhooks
there (it resolves *.localhost to 127.0.0.1). Celery runs eagerly in the live server's threads, so
the invoicing run's batches, the PDFs and the webhook's task run on commit of their request.
"""

import re
from datetime import timedelta

import pytest

from localpay.testing import LocalPay
from tests.browser.steps import committed, log_in, new_page, watch
from tests.modules.billing.conftest import RULE_TERMS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=False)]

WEBHOOK_SECRET = "whsec_browser_flow"
# The conftest rule of tests/modules/billing on 1 250 000 € of payroll and 12 people: 5 030 € + VAT.
GROSS = re.compile(r"6\s?036,00\s?€")
ZERO = re.compile(r"0,00\s?€")
STATE_POLL_MS = 20_000  # the webhook lands ~1 s after payment; the page asks every 2 s


@pytest.fixture
def stripe_on(live_platform, organisations, settings, billing_rows_cleanup):
    """A localpay server whose webhooks go to alpha's live endpoint; alpha's keys stored (committed)
    and a 2027-like campaign open, with the cotisation rule of the billing tests."""
    from django.utils import timezone

    from modules.billing.models import DeclarationCampaign
    from modules.billing.services.declarations import campaign_open, rule_save
    from modules.billing.services.payments import payment_account_save
    from tests.modules.billing.conftest import admin, seller_identify

    webhook = f"http://alpha.localhost:{live_platform}/billing/stripe/webhook/"
    with LocalPay(webhooks=(("adhera-alpha", webhook, WEBHOOK_SECRET),)) as server:
        settings.STRIPE_API_BASE = server.api_base

        def prepare() -> int:
            seller_identify()
            payment_account_save(
                actor=admin(),
                publishable_key="pk_test_browser",
                secret_key="sk_test_browser",
                webhook_secret=WEBHOOK_SECRET,
            )
            latest = DeclarationCampaign.objects.order_by("-year").values_list("year", flat=True).first()
            year = max(latest or 0, timezone.localdate().year) + 1
            campaign = campaign_open(actor=admin(), year=year, deadline=timezone.localdate() + timedelta(days=30))
            rule_save(
                actor=admin(),
                campaign=campaign,
                label=f"Cotisation annuelle {year}",
                **RULE_TERMS,
            )
            return year

        year = committed(organisations["alpha"], prepare)
        yield server, year


def test_declare_invoice_pay_online_and_see_the_invoice_paid(live_platform, browser_page, stripe_on, tmp_path):
    from playwright.sync_api import expect

    server, year = stripe_on
    page, base = browser_page, f"http://alpha.localhost:{live_platform}"
    problems: list[str] = []
    too_wide: dict[str, int] = {}

    def watched(page) -> None:
        """CSP violations and script errors anywhere; any console error (a failed load…) on our pages
        (localpay's page stands for Stripe's, which is not ours to judge)."""
        watch(page, problems)
        page.on(
            "console",
            lambda message: problems.append(f"{page.url}: {message.text}")
            if message.type == "error" and page.url.startswith(base)
            else None,
        )

    def fits(page, name: str) -> None:
        """The page is as wide as the phone at most; a screenshot to look at."""
        page.screenshot(path=tmp_path / f"{name}.png", full_page=True)
        extra = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        if extra > 0:
            too_wide[name] = extra

    def menu(page):
        return page.get_by_role("navigation", name="Navigation principale")

    watched(page)

    # 1. M1's administrator fills the data sheet (figures of year N-2) and sends it.
    log_in(page, base, "m1-admin@alpha.test")
    menu(page).get_by_role("link", name="Fiche de renseignements").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fiche de renseignements")
    # (required fields say so in their label: "Masse salariale (N-2) (obligatoire)")
    page.get_by_label(re.compile(r"^Masse salariale \(N-2\)")).fill("1 250 000")
    page.get_by_label(re.compile(r"^Nombre de contrats \(N-2\)")).fill("10")
    page.get_by_label(re.compile(r"^Nombre de salariés \(N-2\)")).fill("12")
    page.get_by_label(re.compile(r"^Nombre de salariés ETP \(N-2\)")).fill("10,5")
    fits(page, "fiche")
    page.get_by_role("button", name="Transmettre la fiche").click()
    expect(page.get_by_role("main")).to_contain_text("a bien été transmise")
    expect(page.get_by_role("main")).to_contain_text("Pour corriger, contactez votre organisation.")
    fits(page, "fiche-transmise")

    # 2. The organisation's administrator starts the campaign's invoicing run and watches it end.
    staff_context, staff = new_page(page.context.browser, [])
    try:
        watched(staff)
        log_in(staff, base, "admin@alpha.test")
        menu(staff).get_by_role("link", name="Facturation").click()
        fits(staff, "facturation")
        staff.get_by_role("link", name=f"Campagne {year}").click()
        expect(staff.get_by_role("heading", level=1)).to_contain_text(str(year))
        fits(staff, "campagne")
        staff.once("dialog", lambda dialog: dialog.accept())  # "Facturer N adhérents… ?"
        staff.get_by_role("button", name="Lancer la facturation").click()
        progress = staff.locator("progress")
        expect(progress).to_have_text("100 %", timeout=STATE_POLL_MS)
        expect(staff.locator(".run-count")).to_contain_text("facturés : 1")
        fits(staff, "facturation-en-cours")
    finally:
        staff_context.close()

    # 3. The member sees the invoice to pay and the balance, ticks it and pays online.
    menu(page).get_by_role("link", name="Vos factures").click()
    balance = page.get_by_role("region", name="Solde du compte")
    expect(balance).to_contain_text(GROSS)
    row = page.locator("tr", has=page.get_by_role("checkbox"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("À payer")
    number = row.get_by_role("link").first.inner_text()
    assert number.startswith("FAC-"), number
    fits(page, "vos-factures")
    page.get_by_label(re.compile(rf"^Payer {number} ")).check()
    page.get_by_role("button", name="Payer en ligne").click()

    # 4. Stripe's hosted page (localpay): the amount, the card prefilled with a test card.
    page.wait_for_url(f"{server.api_base}/**")
    expect(page.get_by_role("heading", level=1)).to_contain_text(GROSS)
    fits(page, "stripe")
    page.get_by_role("button", name="Payer", exact=True).click()

    # 5. Back on our return page, which turns to "Paiement reçu" once the webhook is handled.
    page.wait_for_url(f"{base}/billing/paiement/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Paiement")
    expect(page.get_by_role("status")).to_contain_text("Paiement reçu", timeout=STATE_POLL_MS)
    fits(page, "paiement-recu")

    # 6. The invoice is paid and the balance is zero.
    page.get_by_role("link", name="Voir vos factures").click()
    expect(page.locator("tr", has=page.get_by_role("link", name=number))).to_contain_text("Payée")
    expect(balance).to_contain_text(ZERO)
    expect(balance).to_contain_text("À jour")
    expect(page.get_by_role("button", name="Payer en ligne")).to_have_count(0)
    fits(page, "vos-factures-payees")

    assert too_wide == {}, f"pages wider than the phone (pixels too many); screenshots in {tmp_path}"
    assert problems == []
