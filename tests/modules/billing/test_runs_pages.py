"""The organisation's billing pages: campaigns, the cotisation rule, members' declarations and the
working of their cotisation, and the annual invoicing run with its progress."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import StaffRole, User
from core.audit.models import AuditEntry
from core.members.models import Member
from modules.billing.models import (
    AnnualDeclaration,
    ContributionBracket,
    ContributionRule,
    DeclarationCampaign,
    DeclarationStatus,
    Invoice,
    InvoicingRun,
    RunSkip,
    RunStatus,
)
from modules.billing.services.runs import invoicing_run_start
from tests.world import PASSWORD, siret_for

from .conftest import EXPECTED_GROSS, YEAR, admin, declare, issue_cotisation, member, open_campaign

pytestmark = pytest.mark.django_db

ADMIN, JURIST, M1_ADMIN = "admin@alpha.test", "jurist@alpha.test", "m1-admin@alpha.test"
ACCOUNTANT = "accountant@alpha.test"
HOME = "/billing/gestion/"
NO_DECLARATION = "Aucune déclaration, ni antérieure pour l'estimer."


def text(response) -> str:
    """The page's text as a person reads it (entities decoded, French spaces made plain)."""
    return html.unescape(response.content.decode()).replace("\u202f", " ").replace("\xa0", " ")


def words(response) -> str:
    """The page's words without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def campaign_url(campaign) -> str:
    return f"/billing/gestion/campagnes/{campaign.pk}/"


def rule_url(campaign) -> str:
    return f"{campaign_url(campaign)}regle/"


def contribution_url(campaign, member_obj) -> str:
    return f"{campaign_url(campaign)}adherents/{member_obj.pk}/"


def run_url(run) -> str:
    return f"/billing/gestion/facturations/{run.pk}/"


@pytest.fixture
def staff(alpha, client_for):
    return client_for(alpha, ADMIN)


def rule_data(*, brackets=(("0", "0,5"), ("500 000", "0,3")), rows: int = 5, **fields) -> dict:
    """The rule form as a browser posts it: every row of the brackets, blank ones included."""
    data = {
        "label": "Cotisation annuelle",
        "rate_basis": "payroll",
        "head_basis": "headcount",
        "per_head_amount": "15",
        "fixed_amount": "100",
        "minimum": "300",
        "maximum": "10 000",
        "vat_rate": "20",
        "brackets-TOTAL_FORMS": str(rows),
        "brackets-INITIAL_FORMS": str(rows),
        "brackets-MIN_NUM_FORMS": "0",
        "brackets-MAX_NUM_FORMS": "50",
    }
    for index in range(rows):
        floor, rate = brackets[index] if index < len(brackets) else ("", "")
        data[f"brackets-{index}-floor"], data[f"brackets-{index}-rate"] = floor, rate
    data.update(fields)
    return data


def rule_state(campaign) -> tuple:
    rule = ContributionRule.objects.get(campaign=campaign)
    return (
        rule.label,
        rule.minimum,
        rule.maximum,
        rule.per_head_amount,
        [(b.floor, b.rate) for b in ContributionBracket.objects.filter(rule=rule).order_by("floor")],
    )


# Campaigns -----------------------------------------------------------------------------------


def test_opening_a_campaign_through_the_page_then_the_same_year_again(alpha, staff):
    response = staff.post(HOME, {"year": "2030", "deadline": "2029-11-30"})
    with tenant_context(alpha):
        campaign = DeclarationCampaign.objects.get(year=2030)
        assert campaign.deadline.isoformat() == "2029-11-30"
        assert ContributionRule.objects.filter(campaign=campaign).exists()
    assert response.status_code == 302 and response["Location"] == campaign_url(campaign)
    page = text(staff.get(response["Location"]))
    assert "Campagne 2030 ouverte" in page and "chiffres 2028" in page

    response = staff.post(HOME, {"year": "2030", "deadline": "2030-01-15"})
    assert response.status_code == 400
    page = text(response)
    assert "Une campagne existe déjà pour cette année." in page
    assert "La campagne n'a pas été ouverte" in page
    with tenant_context(alpha):
        assert DeclarationCampaign.objects.filter(year=2030).count() == 1
        assert DeclarationCampaign.objects.get(year=2030).deadline.isoformat() == "2029-11-30"


def test_opening_refuses_a_year_out_of_range_and_a_missing_deadline(alpha, staff):
    response = staff.post(HOME, {"year": "1990", "deadline": ""})
    assert response.status_code == 400
    page = text(response)
    assert "Indiquez une année entre 2000 et 2100." in page and "Indiquez la date limite." in page
    with tenant_context(alpha):
        assert not DeclarationCampaign.objects.exists()


def test_home_lists_campaigns_with_declared_and_invoiced_counts(alpha, staff, mail_sink):
    with tenant_context(alpha):
        campaign = open_campaign()
        declare(campaign)
        issue_cotisation(campaign)
        open_campaign(YEAR + 1)
    page = text(staff.get(HOME))
    assert "Campagne 2027" in page and "Campagne 2028" in page
    row_2027 = re.search(r"Campagne 2027.*?</tr>", page, re.S).group(0)
    assert "1 sur 2" in row_2027 and "Ouverte" in row_2027
    assert re.search(r">1</td>\s*</tr>", row_2027)
    row_2028 = re.search(r"Campagne 2028.*?</tr>", page, re.S).group(0)
    assert "0 sur 2" in row_2028
    # The navigation of the billing pages, with the module's settings for an administrator.
    assert 'href="/billing/gestion/factures/"' in page and 'href="/billing/gestion/paiements/"' in page
    assert 'href="/billing/gestion/paiement-en-ligne/"' in page and "Réglages" in page


def test_home_costs_the_same_queries_for_one_campaign_or_six(alpha, staff, mail_sink):
    with tenant_context(alpha):
        campaign = open_campaign()
        declare(campaign)

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(HOME).status_code == 200
        return len(queries)

    one = measure()
    with tenant_context(alpha):
        issue_cotisation(campaign)
        for year in range(YEAR + 1, YEAR + 6):
            declare(open_campaign(year))
        invoicing_run_start(actor=admin(), campaign=open_campaign(YEAR - 1))  # its batches never sent: running
    page = text(staff.get(HOME))
    assert page.count("Campagne 20") >= 7 and "Facturation en cours" in page
    assert measure() == one


def test_campaign_deadline_and_status_are_updated_with_an_audit_entry(campaign, staff):
    response = staff.post(campaign_url(campaign), {"deadline": "2027-01-31", "status": "closed"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "closed" and campaign.deadline.isoformat() == "2027-01-31"
    entry = AuditEntry.objects.get(action="billing.campaign_update")
    assert entry.before["status"] == "open" and entry.after["status"] == "closed"

    response = staff.post(campaign_url(campaign), {"deadline": "", "status": "nonsense"})
    assert response.status_code == 400
    assert "Indiquez la date limite." in text(response)
    campaign.refresh_from_db()
    assert campaign.status == "closed"


def test_campaign_members_are_searched_and_filtered_by_declaration(campaign, staff):
    declare(campaign)
    page = words(staff.get(campaign_url(campaign)))
    assert "Société Un" in page and "Société Deux" in page and "Non transmise" in page
    assert "1 fiche transmise" in page and "2 adhérents" in page and "0 facturé" in page

    def listed(**filters) -> set[str]:
        page = text(staff.get(campaign_url(campaign), filters))
        return set(re.findall(r'aria-label="Cotisation de ([^"]+)"', page))

    assert listed() == {"Société Un", "Société Deux"}
    assert listed(declared="yes") == {"Société Un"}
    assert listed(declared="no") == {"Société Deux"}
    assert listed(q="deux") == {"Société Deux"}
    assert listed(q=member("Société Un").siret) == {"Société Un"}
    assert listed(q="deux", declared="yes") == set()

    # The live filter answers only the list.
    fragment = staff.get(
        campaign_url(campaign), {"q": "deux"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="campaign-members"
    )
    body = text(fragment)
    assert "Société Deux" in body and "<h1>" not in body and "Date limite et statut" not in body


def test_campaign_page_costs_the_same_queries_for_2_or_40_members(campaign, staff):
    declare(campaign)
    live = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "campaign-members"}

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert staff.get(campaign_url(campaign)).status_code == 200
        with CaptureQueriesContext(connection) as fragment:
            assert staff.get(campaign_url(campaign), {"declared": "no"}, **live).status_code == 200
        return len(page), len(fragment)

    few = measure()
    members = Member.objects.bulk_create(
        Member(name=f"Adhérent {number:02d}", siret=siret_for(5000 + number)) for number in range(38)
    )
    now = timezone.now()
    AnnualDeclaration.objects.bulk_create(
        AnnualDeclaration(
            campaign=campaign, member=one, payroll=Decimal("1000"), headcount=1, status="submitted", submitted_at=now
        )
        for one in members[:10]
    )
    many = measure()
    assert many == few
    page = words(staff.get(campaign_url(campaign)))
    assert "40 adhérents" in page and "11 fiches transmises" in page


# The cotisation rule -------------------------------------------------------------------------


def test_rule_form_saves_brackets_and_ignores_blank_rows(campaign, staff):
    page = text(staff.get(rule_url(campaign)))
    assert page.count('name="brackets-') >= 10  # at least 5 rows of two inputs
    assert 'value="0,5"' in page and 'value="500000"' in page  # the current brackets, the French way

    data = rule_data(brackets=(("0", "1"), ("", ""), ("100 000", "0,75"), ("250000,00", "0,25")), rows=6, maximum="")
    response = staff.post(rule_url(campaign), data)
    assert response.status_code == 302 and response["Location"] == campaign_url(campaign)
    label, minimum, maximum, per_head, brackets = rule_state(campaign)
    assert maximum is None and minimum == Decimal("300") and per_head == Decimal("15")
    assert brackets == [
        (Decimal("0"), Decimal("1")),
        (Decimal("100000"), Decimal("0.75")),
        (Decimal("250000"), Decimal("0.25")),
    ]
    page = text(staff.get(campaign_url(campaign)))
    assert "Règle de cotisation 2027 enregistrée." in page
    assert "de 100 000,00 € à 250 000,00 € : 0,75 %" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"minimum": "-5"}, "Indiquez un nombre positif ou nul."),
        ({"maximum": "200"}, "Le maximum doit être supérieur ou égal au minimum."),
        ({"brackets": (("1000", "0,5"), ("5000", "0,2"))}, "La première tranche doit commencer à 0."),
        ({"brackets": (("0", "-1"),)}, "Indiquez un nombre positif ou nul."),
        ({"brackets": (("0", "0,5"), ("0", "0,2"))}, "Deux tranches ne peuvent pas commencer au même seuil."),
        ({"brackets": (("0", "0,5"), ("1000", ""))}, "Indiquez le taux de cette tranche."),
        ({"vat_rate": "120"}, "Un pourcentage entre 0 et 100."),
        ({"per_head_amount": "quinze"}, "Indiquez un nombre."),
    ],
)
def test_rule_form_refuses_bad_values_and_saves_nothing(campaign, staff, changes, message):
    before = rule_state(campaign)
    changes = dict(changes)
    brackets = changes.pop("brackets", (("0", "2"),))
    response = staff.post(rule_url(campaign), rule_data(brackets=brackets, label="Autre libellé", **changes))
    assert response.status_code == 400
    page = text(response)
    assert message in page and "La règle n'a pas été enregistrée" in page
    assert 'value="Autre libellé"' in page  # what was typed is kept
    assert rule_state(campaign) == before


def test_rule_is_read_only_once_the_campaign_is_invoiced(campaign, staff, mail_sink):
    declare(campaign)
    issue_cotisation(campaign)
    before = rule_state(campaign)
    page = text(staff.get(rule_url(campaign)))
    assert "sa règle ne change plus" in page and "Enregistrer la règle" not in page
    assert re.search(r'name="minimum"[^>]*disabled', page)
    response = staff.post(rule_url(campaign), rule_data(label="Trop tard"))
    assert response.status_code == 409 and "sa règle ne change plus" in text(response)
    assert rule_state(campaign) == before


def test_rule_page_tries_the_saved_rule_on_sample_figures(campaign, staff):
    page = text(staff.get(rule_url(campaign), {"rate_figure": "1 250 000", "head_figure": "12"}))
    assert "Total HT" in page and "5 030,00 €" in page and "6 036,00 €" in page
    assert "Masse salariale (N-2) de 0,00 € à 500 000,00 € : 500 000,00 € × 0,5 %" in page


# A member's cotisation and the correction of a declaration -----------------------------------


def test_contribution_page_shows_the_working_and_the_totals(campaign, staff):
    declare(campaign)
    page = text(staff.get(contribution_url(campaign, member())))
    assert "Déclaration 2027" in page and "Estimation" not in page
    assert "1 250 000,00" in page  # the declared payroll
    assert "au-delà de 500 000,00 € : 750 000,00 € × 0,3 %" in page and "2 250,00 €" in page
    assert "Nombre de salariés (N-2) : 12 × 15,00 €" in page and "Part fixe" in page
    assert "5 030,00 €" in page and "1 006,00 €" in page and "6 036,00 €" in page
    assert "Corriger la fiche" in page

    # A member with no declaration at all cannot be priced: the reason is given.
    page = text(staff.get(contribution_url(campaign, member("Société Deux"))))
    assert "Non transmise" in page and NO_DECLARATION in page and "Corriger la fiche" not in page


def test_contribution_without_declaration_is_estimated_from_the_previous_one(in_alpha, client_for):
    earlier = open_campaign(YEAR - 1)
    declare(earlier, member_name="Société Deux", email="m2-admin@alpha.test", payroll="100000", headcount="4", fte="3")
    campaign = open_campaign()
    page = text(client_for(in_alpha, ADMIN).get(contribution_url(campaign, member("Société Deux"))))
    assert "Estimation d'après la déclaration 2026" in page and "Estimation</span>" in page
    assert "100 000,00" in page  # the source figures are shown
    # 0.5 % × 100 000 + 4 × 15 + 100 = 660 € net, 792 € TTC
    assert "660,00 €" in page and "792,00 €" in page


def test_correcting_a_declaration_writes_the_journal_and_changes_the_working(campaign, staff):
    declaration = declare(campaign)
    url = f"/billing/gestion/declarations/{declaration.pk}/corriger/"
    response = staff.post(
        url,
        {"payroll": "400 000", "contracts": "10", "headcount": "8", "fte": "7,5", "reason": "Erreur de saisie"},
    )
    assert response.status_code == 302 and response["Location"] == contribution_url(campaign, member())
    declaration.refresh_from_db()
    assert declaration.payroll == Decimal("400000") and declaration.fte == Decimal("7.5")
    assert declaration.status == DeclarationStatus.CORRECTED
    entry = AuditEntry.objects.get(action="billing.declaration_correct")
    assert entry.before["payroll"] == "1250000.00" and entry.after["payroll"] == "400000"
    assert entry.after["reason"] == "Erreur de saisie" and entry.actor_email == ADMIN
    assert entry.member_id == member().pk
    page = text(staff.get(response["Location"]))
    assert "corrigée" in page and "Corrigée par l'organisation" in page
    # 0.5 % × 400 000 + 8 × 15 + 100 = 2 220 € net
    assert "2 220,00 €" in page


def test_a_correction_without_reason_or_with_bad_figures_changes_nothing(campaign, staff):
    declaration = declare(campaign)
    url = f"/billing/gestion/declarations/{declaration.pk}/corriger/"
    figures = {"payroll": "1000", "contracts": "1", "headcount": "2", "fte": "1"}
    response = staff.post(url, {**figures, "reason": ""})
    assert response.status_code == 400 and "Indiquez le motif de la correction." in text(response)

    # A required figure left blank: the service says so beside it, as on the member's sheet.
    response = staff.post(url, {**figures, "payroll": "", "reason": "Vérification"})
    assert response.status_code == 400
    assert re.search(r'id="correct_payroll_error">Ce champ est obligatoire\.', text(response))

    response = staff.post(url, {**figures, "fte": "5", "payroll": "-3", "reason": "Vérification"})
    assert response.status_code == 400
    page = text(response)
    assert "Les ETP ne peuvent pas dépasser le nombre de salariés." in page
    assert "La valeur ne peut pas être négative." in page
    assert "Vérification</textarea>" in page  # the reason typed stays
    declaration.refresh_from_db()
    assert declaration.payroll == Decimal("1250000") and declaration.status == DeclarationStatus.SUBMITTED
    assert not AuditEntry.objects.filter(action="billing.declaration_correct").exists()


# The invoicing run ---------------------------------------------------------------------------


def test_the_run_invoices_declared_members_and_reports_the_others(
    campaign, staff, mail_sink, django_capture_on_commit_callbacks
):
    declare(campaign)
    page = text(staff.get(campaign_url(campaign)))
    assert "Facturer 2 adhérents pour la campagne 2027 ?" in page and "Lancer la facturation" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"{campaign_url(campaign)}facturer/")
    run = InvoicingRun.objects.get(campaign=campaign)
    assert response.status_code == 302 and response["Location"] == run_url(run)
    assert run.status == RunStatus.DONE and run.total == 2 and run.started_by.email == ADMIN
    invoice = Invoice.objects.get(campaign=campaign)
    assert invoice.member == member() and invoice.total_gross == EXPECTED_GROSS
    skip = RunSkip.objects.get(run=run)
    assert skip.member == member("Société Deux") and skip.reason == NO_DECLARATION

    page = text(staff.get(run_url(run)))
    assert "Facturation lancée pour 2 adhérents." in page
    assert "2 / 2" in page and "facturés : 1 · écartés : 1" in page and "Terminée" in page
    assert re.search(r'<progress[^>]*max="2"[^>]*value="2"', page)
    assert "Société Deux" in page and NO_DECLARATION in page
    assert 'hx-trigger="every 2s"' not in page  # done: nothing polls
    assert "/billing/gestion/factures/?year=2027" in page

    # The campaign shows the invoice number and the past run.
    page = text(staff.get(campaign_url(campaign)))
    assert invoice.number in page and run_url(run) in page


def test_starting_again_invoices_nobody_twice(campaign, staff, mail_sink, django_capture_on_commit_callbacks):
    declare(campaign)
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert staff.post(f"{campaign_url(campaign)}facturer/").status_code == 302
    assert Invoice.objects.filter(campaign=campaign).count() == 1
    first, second = InvoicingRun.objects.filter(campaign=campaign).order_by("started_at")
    assert first.status == second.status == RunStatus.DONE
    # The second run only looked at the member left without an invoice, and skipped it again.
    assert second.total == 1 and RunSkip.objects.get(run=second).member == member("Société Deux")

    # Once Société Deux has declared, a new run invoices it and only it.
    declare(campaign, member_name="Société Deux", email="m2-admin@alpha.test")
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"{campaign_url(campaign)}facturer/")
    assert Invoice.objects.filter(campaign=campaign).count() == 2
    assert sorted(Invoice.objects.filter(campaign=campaign).values_list("member__name", flat=True)) == [
        "Société Deux",
        "Société Un",
    ]


def test_progress_fragment_polls_while_running_and_stops_when_done(
    campaign, staff, mail_sink, django_capture_on_commit_callbacks
):
    declare(campaign)
    with django_capture_on_commit_callbacks(execute=False) as batches:
        run = invoicing_run_start(actor=admin(), campaign=campaign)  # its batches not sent yet
    url = f"{run_url(run)}progression/"
    fragment = text(staff.get(url))
    assert 'hx-trigger="every 2s"' in fragment and f'hx-get="{url}"' in fragment
    assert "0 / 2" in fragment and "En cours" in fragment and "Reprendre" not in fragment
    page = text(staff.get(run_url(run)))
    assert 'hx-trigger="every 2s"' in page
    # The campaign page sends staff to the run rather than starting another.
    assert "Une facturation est en cours" in text(staff.get(campaign_url(campaign)))

    with django_capture_on_commit_callbacks(execute=True):
        for batch in batches:
            batch()
    fragment = text(staff.get(url))
    assert "hx-trigger" not in fragment and "hx-get" not in fragment
    assert "2 / 2" in fragment and "Terminée" in fragment and "Afficher le rapport complet" in fragment


def test_a_stalled_run_offers_to_resume_and_resuming_finishes_it(
    campaign, staff, mail_sink, django_capture_on_commit_callbacks
):
    declare(campaign)
    with django_capture_on_commit_callbacks(execute=False):
        run = invoicing_run_start(actor=admin(), campaign=campaign)  # the worker "died": nothing sent
    InvoicingRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    fragment = text(staff.get(f"{run_url(run)}progression/"))
    assert "Reprendre" in fragment and f'action="{campaign_url(campaign)}facturer/"' in fragment

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"{campaign_url(campaign)}facturer/")
    assert response["Location"] == run_url(run)  # the same run, resumed
    assert "Facturation reprise" in text(staff.get(run_url(run)))
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and InvoicingRun.objects.count() == 1
    assert Invoice.objects.filter(campaign=campaign).count() == 1


def test_run_page_costs_the_same_queries_for_1_or_40_skipped_members(campaign, staff):
    run = InvoicingRun.objects.create(campaign=campaign, started_by=admin(), total=2)
    RunSkip.objects.create(run=run, member=member("Société Deux"), reason=NO_DECLARATION)

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(run_url(run)).status_code == 200
        return len(queries)

    one = measure()
    members = Member.objects.bulk_create(
        Member(name=f"Adhérent {number:02d}", siret=siret_for(7000 + number)) for number in range(39)
    )
    RunSkip.objects.bulk_create(RunSkip(run=run, member=one, reason=NO_DECLARATION) for one in members)
    assert measure() == one
    assert "40 adhérents n'ont pas été facturés" in text(staff.get(run_url(run)))


# Who may use these pages ---------------------------------------------------------------------


def _pages(campaign, run, declaration) -> list[tuple[str, str]]:
    return [
        ("get", HOME),
        ("post", HOME),
        ("get", campaign_url(campaign)),
        ("post", campaign_url(campaign)),
        ("get", rule_url(campaign)),
        ("post", rule_url(campaign)),
        ("get", contribution_url(campaign, member())),
        ("post", f"/billing/gestion/declarations/{declaration.pk}/corriger/"),
        ("post", f"{campaign_url(campaign)}facturer/"),
        ("get", run_url(run)),
        ("get", f"{run_url(run)}progression/"),
    ]


@pytest.mark.parametrize("email", [M1_ADMIN, JURIST, None])
def test_people_without_the_billing_right_are_refused_everywhere(alpha, client_for, email, mail_sink):
    with tenant_context(alpha):
        campaign = open_campaign()
        declaration = declare(campaign)
        run = InvoicingRun.objects.create(campaign=campaign, started_by=admin(), total=2)
        before = (DeclarationCampaign.objects.count(), InvoicingRun.objects.count(), rule_state(campaign))
        pages = _pages(campaign, run, declaration)
    client = client_for(alpha, email)
    for method, url in pages:
        data = {"year": "2031", "deadline": "2030-12-31", "status": "closed", "reason": "x", **rule_data()}
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        if email is None:
            assert response.status_code == 302 and "/compte/connexion/" in response["Location"], url
        else:
            # The home page says the right is missing; a campaign, a declaration or a run is not
            # found, as a missing one (and as the API's run answers).
            expected = 403 if url == HOME else 404
            assert response.status_code == expected, (method, url, response.status_code)
    with tenant_context(alpha):
        assert (DeclarationCampaign.objects.count(), InvoicingRun.objects.count(), rule_state(campaign)) == before
        assert AnnualDeclaration.objects.get(pk=declaration.pk).status == DeclarationStatus.SUBMITTED


def test_an_accountant_uses_the_pages_without_the_administrators_links(alpha, client_for):
    with tenant_context(alpha):
        User.objects.create_user(ACCOUNTANT, PASSWORD, staff_role=StaffRole.ACCOUNTANT)
        campaign = open_campaign()
    client = client_for(alpha, ACCOUNTANT)
    page = text(client.get(HOME))
    assert "Campagne 2027" in page and 'href="/billing/gestion/factures/"' in page
    assert "paiement-en-ligne" not in page and "Réglages" not in page
    for url in (campaign_url(campaign), rule_url(campaign)):
        assert client.get(url).status_code == 200


def test_missing_objects_answer_404(campaign, staff):
    assert staff.get("/billing/gestion/campagnes/999999/").status_code == 404
    assert staff.get(f"{campaign_url(campaign)}adherents/999999/").status_code == 404
    assert staff.get("/billing/gestion/facturations/999999/").status_code == 404
    assert staff.post("/billing/gestion/declarations/999999/corriger/", {"reason": "x"}).status_code == 404
    assert staff.get(f"{campaign_url(campaign)}facturer/").status_code == 405
