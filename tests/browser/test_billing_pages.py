"""In Chromium, on a phone (390×844) and on a desktop (1280×800): every page of the billing module
fits the screen's width, has one h1 in its main landmark under the site's navigation, names its
tables and form fields, keeps its headings in order, its text readable (WCAG contrast) and its
controls large enough to touch, shows where the keyboard is, and reports no script error, failed
load or CSP violation; each page seen by the person it is for."""

from datetime import date
from decimal import Decimal

import pytest

from tests.browser.steps import PHONE, committed, log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=False)]

# The flow test's cleanup: every billing row the test commits goes, the number series come back.

DESKTOP = {"width": 1280, "height": 800}
# Long words are what push a phone page sideways: a rule label, a bank reference, a reason.
RULE_LABEL = "Cotisation annuelle des entreprises de la branche des services à la personne et de l'aide à domicile"
REFERENCE = "VIR-SEPA-SOCIETE-UN-COTISATION-ANNUELLE-0000123456789012345"
REASON = "Remise accordée par le conseil d'administration après réexamen de la masse salariale déclarée"
IBAN, BIC = "FR7630006000011234567890189", "AGRIFRPP"

# What the browser is asked about each page (problems found, as sentences).
PAGE_CHECKS = """() => {
  const problems = [];
  const main = document.querySelector("main");
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const named = (el) => el.getAttribute("aria-label") || (el.getAttribute("aria-labelledby") || "")
    .split(/\\s+/).some((id) => id && document.getElementById(id));
  const what = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.name ? "[" + el.name + "]" : "");
  // Landmarks and headings: one main, the site's navigation, no level skipped.
  if (document.querySelectorAll("main").length !== 1) problems.push("not one main landmark");
  if (!document.querySelector('nav[aria-label="Navigation principale"]')) problems.push("no main navigation");
  let previous = 0;
  for (const heading of main.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const level = Number(heading.tagName[1]);
    if (level > previous + 1) problems.push("heading level skipped: " + heading.textContent.trim());
    previous = level;
  }
  // Ids are unique and what aria points to exists.
  const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
  for (const id of new Set(ids.filter((id, index) => ids.indexOf(id) !== index))) problems.push("id twice: " + id);
  for (const el of document.querySelectorAll("[aria-labelledby], [aria-describedby]")) {
    for (const attribute of ["aria-labelledby", "aria-describedby"]) {
      for (const id of (el.getAttribute(attribute) || "").split(/\\s+/)) {
        if (id && !document.getElementById(id)) problems.push(attribute + " to nothing: " + id);
      }
    }
  }
  // Tables have a name and their column headers a scope; fields have a label.
  for (const table of main.querySelectorAll("table")) {
    if (!table.querySelector(":scope > caption") && !named(table)) {
      problems.push("table without a name: " + table.className);
    }
    for (const th of table.querySelectorAll("thead th")) {
      if (!th.getAttribute("scope")) problems.push("column header without scope: " + th.textContent.trim());
    }
  }
  for (const wrap of main.querySelectorAll(".table-wrap")) {
    const extra = wrap.scrollWidth - wrap.clientWidth;
    if (extra > 0) problems.push("table " + extra + " px wider than its box: " + wrap.querySelector("table").className);
  }
  for (const field of main.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!field.labels.length && !named(field)) problems.push("field without a label: " + what(field));
  }
  // Controls large enough to touch (WCAG 2.5.8: 24 × 24 px at least).
  const controls = "button, a.button, input[type=checkbox], input[type=radio], select, summary";
  for (const control of main.querySelectorAll(controls)) {
    const box = control.getBoundingClientRect();
    if (shown(control) && (box.width < 24 || box.height < 24)) {
      const size = Math.round(box.width) + "×" + Math.round(box.height);
      problems.push("target too small (" + size + "): " + (control.textContent.trim() || what(control)));
    }
  }
  // Text readable on its background (WCAG 1.4.3: 4.5:1, 3:1 for large text).
  const channels = (colour) => (colour.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const linear = [r, g, b].map((value) => {
      value /= 255;
      return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  };
  const backdrop = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const colour = channels(getComputedStyle(node).backgroundColor);
      if (colour.length === 3 || colour[3] > 0) return colour;
    }
    return [255, 255, 255];
  };
  for (const el of main.querySelectorAll("*")) {
    const own = [...el.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    if (!own || !shown(el) || el.closest(".visually-hidden")) continue;
    const style = getComputedStyle(el);
    const [fore, back] = [luminance(channels(style.color)), luminance(backdrop(el))];
    const ratio = (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) problems.push("contrast " + ratio.toFixed(2) + ": " + el.textContent.trim().slice(0, 40));
  }
  return problems;
}"""

# The element that has the keyboard's focus, and whether it shows it.
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const visible = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
  return {what: el.tagName.toLowerCase() + " " + (el.textContent || el.name || "").trim().slice(0, 40), visible};
}"""


def _billing_of_every_kind() -> dict:
    """In alpha: an invoiced campaign whose run is finished (M1 invoiced, M2 skipped without any
    figures), the next campaign open and not yet declared by M1, and for M1 invoices of every
    state (partly paid, overdue, paid, with a credit note), payments and a checkout left open.
    The bank details and online payment are on, so each page shows all it can."""
    from django.db import transaction
    from django.utils import timezone

    from core.modules.settings import module_settings_get, module_settings_save
    from modules.billing.models import CheckoutAttempt, DeclarationCampaign, InvoiceKind, InvoicingRun, PaymentMethod
    from modules.billing.services.declarations import campaign_update
    from modules.billing.services.invoices import LineInput, _invoice_write, credit_note_issue, invoice_issue
    from modules.billing.services.payments import payment_account_save, payment_record
    from modules.billing.services.runs import invoicing_run_start
    from tests.modules.billing.conftest import admin, declare, member, open_campaign, seller_identify, user

    seller_identify()
    module_settings_save(
        actor=admin(),
        key="billing",
        values={**module_settings_get("billing"), "seller_name": "Union des employeurs", "iban": IBAN, "bic": BIC},
    )
    payment_account_save(
        actor=admin(), publishable_key="pk_test_pages", secret_key="sk_test_pages", webhook_secret="whsec_pages"
    )
    today = timezone.localdate()
    latest = DeclarationCampaign.objects.order_by("-year").values_list("year", flat=True).first()
    year = max(latest or 0, today.year) + 1
    invoiced = open_campaign(year, label=RULE_LABEL)
    declare(invoiced)
    run = invoicing_run_start(actor=admin(), campaign=invoiced)  # eager Celery: done on return
    campaign_update(actor=admin(), campaign=invoiced, deadline=invoiced.deadline, status="closed")
    current = open_campaign(year + 1)

    def paid(invoice, amount, method=PaymentMethod.TRANSFER, reference=""):
        payment_record(
            actor=admin(), invoice=invoice, method=method, amount=amount, received_on=today, reference=reference
        )

    cotisation = invoiced.invoices.get(kind=InvoiceKind.INVOICE)
    paid(cotisation, "1000", reference=REFERENCE)
    with transaction.atomic():
        overdue = _invoice_write(
            actor=admin(),
            member=member(),
            kind=InvoiceKind.INVOICE,
            lines=[LineInput("Adhésion", Decimal("100"), Decimal("20"))],
            year=today.year - 1,
            today=date(today.year - 1, 1, 10),
        )
    training = invoice_issue(
        actor=admin(), member=member(), lines=[LineInput("Formation", Decimal("100"), Decimal("20"), Decimal("2"))]
    )
    paid(training, "240", method=PaymentMethod.CHEQUE, reference="Chèque n° 1234567")
    study_day = invoice_issue(
        actor=admin(), member=member(), lines=[LineInput("Journée d'étude", Decimal("200"), Decimal("20"))]
    )
    credit_note = credit_note_issue(actor=admin(), invoice=study_day, amount=Decimal("60"), reason=REASON)
    attempt = CheckoutAttempt.objects.create(  # as checkout_start leaves it, Stripe left aside
        member=member(),
        allocations={str(overdue.pk): "120.00"},
        amount=Decimal("120.00"),
        created_by=user("m1-admin@alpha.test"),
        stripe_session="cs_test_pages",
        stripe_url="https://checkout.stripe.com/c/pay/cs_test_pages",
    )
    assert InvoicingRun.objects.get(pk=run.pk).status == "done"
    return {
        "invoiced": invoiced.pk,
        "current": current.pk,
        "run": run.pk,
        "member": member().pk,
        "other": member("Société Deux").pk,
        "invoices": {
            "partiellement-payee": cotisation.pk,
            "en-retard": overdue.pk,
            "payee": training.pk,
            "avec-avoir": study_day.pk,
            "avoir": credit_note.pk,
        },
        "checkout": attempt.key,
    }


def test_every_billing_page_fits_a_phone_and_a_desktop(
    live_platform, browser_page, organisations, billing_rows_cleanup, tmp_path
):
    from playwright.sync_api import expect

    made = committed(organisations["alpha"], _billing_of_every_kind)
    base = f"http://alpha.localhost:{live_platform}"
    errors: list[str] = []
    found: dict[str, list[str]] = {}

    def looked_at(page, name: str) -> None:
        """The page at both widths: one h1, no sideways scrolling, the checks above; a screenshot
        of each to look at. On the desktop, the keyboard walks the page and shows where it is."""
        for width, viewport in (("telephone", PHONE), ("bureau", DESKTOP)):
            page.set_viewport_size(viewport)
            expect(page.locator("main h1")).to_have_count(1)
            page.screenshot(path=tmp_path / f"{name}-{width}.png", full_page=True)
            problems = page.evaluate(PAGE_CHECKS)
            extra = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
            if extra > 0:
                problems.append(f"{extra} px wider than the screen")
            if problems:
                found[f"{name} ({width})"] = problems
        page.locator("main").focus()
        for _step in range(12):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS_SHOWN)
            if focused and not focused["visible"]:
                found.setdefault(f"{name} (clavier)", []).append(f"focus not shown on {focused['what']}")
        page.set_viewport_size(PHONE)

    def visit(page, name: str, path: str) -> None:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, f"{path}: {response.status}"
        looked_at(page, name)

    def as_person(email: str):
        context, page = new_page(browser_page.context.browser, errors)
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        log_in(page, base, email)
        return context, page

    context, page = as_person("m1-admin@alpha.test")
    visit(page, "vos-factures", "/billing/")
    for name, invoice_id in made["invoices"].items():
        visit(page, f"facture-{name}", f"/billing/factures/{invoice_id}/")
    visit(page, "releve", "/billing/releve/")
    visit(page, "fiche-a-remplir", "/billing/declaration/")
    fields = page.get_by_role("main").locator("input.figure")
    for index, value in enumerate(("1 250 000", "10", "12", "10,5")):
        fields.nth(index).fill(value)
    page.get_by_role("button", name="Transmettre la fiche").click()
    expect(page.get_by_role("main")).to_contain_text("a bien été transmise")
    looked_at(page, "fiche-transmise")
    visit(page, "paiement-en-attente", f"/billing/paiement/{made['checkout']}/")
    expect(page.get_by_role("status").filter(has_text="Stripe")).to_contain_text("Nous attendons la confirmation")
    visit(page, "paiement-annule", f"/billing/paiement/{made['checkout']}/annule/")
    context.close()

    invoiced, current, member, other = made["invoiced"], made["current"], made["member"], made["other"]
    context, page = as_person("admin@alpha.test")
    visit(page, "facturation", "/billing/gestion/")
    visit(page, "campagne-facturee", f"/billing/gestion/campagnes/{invoiced}/")
    visit(page, "campagne-ouverte", f"/billing/gestion/campagnes/{current}/")
    visit(page, "regle-figee", f"/billing/gestion/campagnes/{invoiced}/regle/")
    visit(page, "regle", f"/billing/gestion/campagnes/{current}/regle/?rate_figure=1250000&head_figure=12")
    visit(page, "cotisation", f"/billing/gestion/campagnes/{invoiced}/adherents/{member}/")
    visit(page, "cotisation-ecartee", f"/billing/gestion/campagnes/{invoiced}/adherents/{other}/")
    visit(page, "facturation-terminee", f"/billing/gestion/facturations/{made['run']}/")
    expect(page.get_by_role("main")).to_contain_text("Société Deux")
    # The page's live region says once that the run ended, when the polled progress says so.
    progress = f"/billing/gestion/facturations/{made['run']}/progression/"
    page.evaluate("url => htmx.ajax('GET', url, {target: '#run-progress', swap: 'outerHTML'})", progress)
    expect(page.get_by_role("status").filter(has_text="Facturation terminée")).to_have_text(
        "Facturation terminée : 2 / 2 adhérents traités, facturés : 1, écartés : 1."
    )
    visit(page, "factures", "/billing/gestion/factures/")
    for name in ("partiellement-payee", "avoir"):
        visit(page, f"gestion-facture-{name}", f"/billing/gestion/factures/{made['invoices'][name]}/")
    visit(page, "paiements", "/billing/gestion/paiements/")
    visit(page, "paiement-en-ligne", "/billing/gestion/paiement-en-ligne/")
    context.close()

    listed = "\n".join(f"{where} — {problem}" for where, problems in found.items() for problem in problems)
    assert found == {}, f"screenshots in {tmp_path}\n{listed}"
    assert errors == []
