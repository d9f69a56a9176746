import pytest
from tests.browser.steps import committed, log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=False)]


def _data():
    from decimal import Decimal
    from tests.modules.billing.conftest import open_campaign, declare, issue_cotisation, admin, SELLER_IDENTITY
    from tests.modules.billing import test_member_pages as t
    from modules.billing.models import Invoice
    if Invoice.objects.exists():
        return Invoice.objects.get(number="FAC-000001").pk
    t.billing_settings(iban=t.IBAN, bic=t.BIC, seller_name="Alpha Union")
    t.payments_on()
    c = open_campaign()
    declare(c)
    inv = issue_cotisation(c)
    t.pay(inv, "1000", reference="VIREMENT-SOCIETE-UN-COTISATION-2027-REFERENCE-LONGUE-XXXXXXXXXXXX")
    t.old_invoice()
    t.credit_note_issue(actor=admin(), invoice=inv, amount=Decimal("36"), reason="Remise")
    declare(open_campaign(2028), payroll="12345678.90")
    open_campaign(2029)
    return inv.pk


def test_phone(live_platform, browser_page, organisations, tmp_path):
    pk = committed(organisations["alpha"], _data)
    base = f"http://alpha.localhost:{live_platform}"
    problems = []
    context, page = new_page(browser_page.context.browser, problems)
    log_in(page, base, "m1-admin@alpha.test")
    for name, path in [("list", "/billing/"), ("detail", f"/billing/factures/{pk}/"), ("statement", "/billing/releve/"), ("decl", "/billing/declaration/")]:
        r = page.goto(base + path)
        print(name, r.status, page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth"))
        page.screenshot(path=f"/tmp/mp_{name}.png", full_page=True)
    page.goto(base + "/billing/")
    page.select_option("#id_year", "2025")
    page.wait_for_timeout(800)
    print("after htmx", page.url, page.locator("#invoice-results h2").all_inner_texts())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/billing/")
    page.screenshot(path="/tmp/mp_list_desktop.png", full_page=True)
    print("PROBLEMS", problems)
    context.close()
