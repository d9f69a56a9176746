"""Campaigns, their cotisation rule, and members' data sheets: submitted once, checked field by
field, corrected only by staff with the figures before and after in the journal."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django_tenants.utils import tenant_context

import modules.billing.services.declarations as declarations
from core.audit.models import AuditEntry
from core.errors import Conflict, DomainError
from core.modules.settings import module_settings_get, module_settings_save
from modules.billing.models import (
    AnnualDeclaration,
    CampaignStatus,
    ContributionRule,
    DeclarationCampaign,
    DeclarationStatus,
)
from modules.billing.services.declarations import (
    campaign_open,
    campaign_update,
    declaration_correct,
    declaration_submit,
    rule_save,
)
from tests.concurrency import in_own_connection, race

from .conftest import DEADLINE, RULE_TERMS, YEAR, admin, declare, issue_cotisation, member, open_campaign, user
from .scratch import scratch_organisation

pytestmark = pytest.mark.django_db

D = Decimal
VALID = {"payroll": "1250000", "contracts": "10", "headcount": "12", "fte": "10.5"}


@pytest.fixture(scope="module")
def scratch(organisations, django_db_blocker):
    with scratch_organisation(django_db_blocker, "billing-declarations") as organisation:
        yield organisation


def settings_change(**values) -> None:
    module_settings_save(actor=admin(), key="billing", values={**module_settings_get("billing"), **values})


def submit(campaign, *, email="m1-admin@alpha.test", member_name="Société Un", **values):
    return declaration_submit(
        actor=user(email), member=member(member_name), campaign=campaign, values={**VALID, **values}
    )


# Campaigns -----------------------------------------------------------------------------------


def test_a_campaign_asks_the_fields_the_organisation_chose(in_alpha):
    settings_change(declaration_fields=["payroll", "headcount", "fte"], declaration_required=["headcount"])
    campaign = campaign_open(actor=admin(), year=YEAR, deadline=DEADLINE)
    assert campaign.fields == [
        {"key": "payroll", "required": False},
        {"key": "headcount", "required": True},
        {"key": "fte", "required": False},
    ]
    assert (campaign.status, campaign.deadline, campaign.figures_year) == (CampaignStatus.OPEN, DEADLINE, 2025)
    # Settings changed later do not change an opened campaign.
    settings_change(declaration_fields=["payroll"], declaration_required=["payroll"])
    assert DeclarationCampaign.objects.get(pk=campaign.pk).fields == campaign.fields
    entry = AuditEntry.objects.get(action="billing.campaign_open")
    assert entry.after == {"year": YEAR, "deadline": "2026-12-31"} and entry.actor_email == "admin@alpha.test"


def test_the_first_campaign_starts_with_an_empty_rule(in_alpha):
    campaign = campaign_open(actor=admin(), year=YEAR, deadline=DEADLINE)
    rule = ContributionRule.objects.get(campaign=campaign)
    assert rule.label == "Cotisation annuelle 2027"
    assert (rule.per_head_amount, rule.fixed_amount, rule.minimum, rule.maximum) == (0, 0, 0, None)
    assert not rule.brackets.exists()


def test_a_new_campaign_copies_the_rule_of_the_previous_year(in_alpha):
    previous = open_campaign(2026, vat_rate="10", maximum="")
    campaign = campaign_open(actor=admin(), year=2027, deadline=date(2027, 3, 31))
    rule, old = ContributionRule.objects.get(campaign=campaign), previous.rule
    assert rule.pk != old.pk and rule.label == "Cotisation annuelle 2027"
    fields = ("rate_basis", "head_basis", "per_head_amount", "fixed_amount", "minimum", "maximum", "vat_rate")
    assert [getattr(rule, name) for name in fields] == [getattr(old, name) for name in fields]
    assert [(b.floor, b.rate) for b in rule.brackets.all()] == [(D("0"), D("0.5")), (D("500000"), D("0.3"))]
    # The copy is independent: changing it leaves last year's rule as it was.
    rule_save(
        actor=admin(),
        campaign=campaign,
        label="Cotisation 2027",
        rate_basis="payroll",
        head_basis="headcount",
        brackets=[("0", "0.4")],
        per_head_amount="0",
        fixed_amount="0",
        minimum="0",
        maximum="",
        vat_rate="20",
    )
    assert [(b.floor, b.rate) for b in previous.rule.brackets.all()] == [(D("0"), D("0.5")), (D("500000"), D("0.3"))]
    assert ContributionRule.objects.get(pk=old.pk).vat_rate == D("10")


def test_a_second_campaign_for_a_year_is_refused(in_alpha):
    campaign_open(actor=admin(), year=YEAR, deadline=DEADLINE)
    with pytest.raises(Conflict) as refused:
        campaign_open(actor=admin(), year=YEAR, deadline=date(2027, 1, 31))
    assert refused.value.errors == {"year": ["Une campagne existe déjà pour cette année."]}
    assert DeclarationCampaign.objects.filter(year=YEAR).count() == 1
    assert AuditEntry.objects.filter(action="billing.campaign_open").count() == 1


@pytest.mark.parametrize("year", [1999, 2101])
def test_an_implausible_year_is_refused(in_alpha, year):
    with pytest.raises(DomainError) as refused:
        campaign_open(actor=admin(), year=year, deadline=DEADLINE)
    assert "year" in refused.value.errors
    assert not DeclarationCampaign.objects.exists()


@pytest.mark.parametrize("email", ["m1-admin@alpha.test", "jurist@alpha.test"])
def test_only_billing_staff_open_campaigns(in_alpha, email):
    with pytest.raises(PermissionDenied):
        campaign_open(actor=user(email), year=YEAR, deadline=DEADLINE)
    assert not DeclarationCampaign.objects.exists()


# Rule ----------------------------------------------------------------------------------------

RULE = dict(label="Cotisation annuelle 2027", **RULE_TERMS)


def test_rule_is_saved_with_its_brackets_and_audited(in_alpha):
    campaign = campaign_open(actor=admin(), year=YEAR, deadline=DEADLINE)
    rule = rule_save(
        actor=admin(),
        campaign=campaign,
        **{**RULE, "brackets": [("500 000", "0,3"), ("0", "0,5"), ("", "")], "per_head_amount": "15,50"},
    )
    assert [(b.floor, b.rate) for b in rule.brackets.all()] == [(D("0"), D("0.5")), (D("500000"), D("0.3"))]
    assert rule.per_head_amount == D("15.50") and rule.maximum == D("10000")
    entry = AuditEntry.objects.filter(action="billing.rule_save").get()
    assert entry.before["brackets"] == [] and entry.after["brackets"] == [["0.00", "0.5000"], ["500000.00", "0.3000"]]


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"rate_basis": "turnover"}, "rate_basis", "Choisissez une assiette proposée."),
        (
            {"head_basis": "health.headcount"},
            "head_basis",
            "Choisissez une assiette proposée.",
        ),  # no module on offers it
        ({"label": " "}, "label", "Indiquez le libellé de la ligne (200 caractères au plus)."),
        ({"label": "x" * 201}, "label", "Indiquez le libellé de la ligne (200 caractères au plus)."),
        ({"per_head_amount": "-1"}, "per_head_amount", "Montant par tête : indiquez un nombre positif ou nul."),
        ({"fixed_amount": "cent"}, "fixed_amount", "Part fixe : indiquez un nombre."),
        ({"minimum": "NaN"}, "minimum", "Minimum : indiquez un nombre positif ou nul."),
        ({"maximum": "1e12"}, "maximum", "Maximum : ce montant n'est pas plausible."),
        ({"maximum": "299.99"}, "maximum", "Le maximum doit être supérieur ou égal au minimum."),
        ({"vat_rate": "100.5"}, "vat_rate", "Le taux de TVA est un pourcentage entre 0 et 100."),
        ({"vat_rate": "-5"}, "vat_rate", "Taux de TVA : indiquez un nombre positif ou nul."),
        ({"brackets": [("1000", "0.5")]}, "brackets", "La première tranche doit commencer à 0."),
        ({"brackets": [("0", "0.5"), ("0,00", "1")]}, "brackets", "Deux tranches ne peuvent pas commencer"),
        ({"brackets": [("0", "101")]}, "brackets", "Le taux d'une tranche est un pourcentage entre 0 et 100."),
        ({"brackets": [("0", "-1")]}, "brackets", "Taux de tranche : indiquez un nombre positif ou nul."),
        # More decimals than the column keeps: refused, not rounded away by the database.
        ({"per_head_amount": "15,505"}, "per_head_amount", "Montant par tête : deux décimales au plus."),
        ({"minimum": "0.001"}, "minimum", "Minimum : deux décimales au plus."),
        ({"vat_rate": "5.555"}, "vat_rate", "Taux de TVA : deux décimales au plus."),
        ({"brackets": [("0.005", "0.5")]}, "brackets", "Seuil de tranche : deux décimales au plus."),
        ({"brackets": [("0", "0.12345")]}, "brackets", "Taux de tranche : quatre décimales au plus."),
    ],
)
def test_rule_refusals_name_the_field_and_change_nothing(in_alpha, change, field, message):
    campaign = open_campaign()
    with pytest.raises(DomainError) as refused:
        rule_save(actor=admin(), campaign=campaign, **{**RULE, "fixed_amount": "200", **change})
    assert list(refused.value.errors) == [field]
    assert refused.value.errors[field][0].startswith(message)
    assert ContributionRule.objects.get(campaign=campaign).fixed_amount == D("100")


def test_the_rule_no_longer_changes_once_the_campaign_is_invoiced(campaign):
    declare(campaign)
    issue_cotisation(campaign)
    with pytest.raises(Conflict) as refused:
        rule_save(actor=admin(), campaign=campaign, **{**RULE, "fixed_amount": "0"})
    assert "ont déjà été émises" in refused.value.message
    rule = ContributionRule.objects.get(campaign=campaign)
    assert rule.fixed_amount == D("100") and rule.brackets.count() == 2


def test_only_billing_staff_set_the_rule(campaign):
    with pytest.raises(PermissionDenied):
        rule_save(actor=user("m1-admin@alpha.test"), campaign=campaign, **{**RULE, "fixed_amount": "0"})
    assert ContributionRule.objects.get(campaign=campaign).fixed_amount == D("100")


# Submission ----------------------------------------------------------------------------------


def test_a_declaration_is_stored_with_its_figures_and_audited(campaign):
    declaration = submit(campaign, payroll="1 250 000,50", fte="10,25")
    stored = AnnualDeclaration.objects.get(pk=declaration.pk)
    assert (stored.payroll, stored.contracts, stored.headcount, stored.fte) == (
        D("1250000.50"),
        10,
        12,
        D("10.25"),
    )
    assert stored.status == DeclarationStatus.SUBMITTED and stored.submitted_by == user("m1-admin@alpha.test")
    entry = AuditEntry.objects.get(action="billing.declaration_submit")
    assert entry.member_id == member().pk
    assert entry.after == {"payroll": "1250000.50", "contracts": "10", "headcount": "12", "fte": "10.25"}


def test_optional_fields_may_be_left_blank(campaign):
    declaration = submit(campaign, contracts="", fte=None)
    assert declaration.contracts is None and declaration.fte is None


@pytest.mark.parametrize(
    "values, errors",
    [
        ({"payroll": ""}, {"payroll": ["Ce champ est obligatoire."]}),
        (
            {"payroll": "  ", "headcount": None},
            {"payroll": ["Ce champ est obligatoire."], "headcount": ["Ce champ est obligatoire."]},
        ),
        ({"headcount": "-1"}, {"headcount": ["La valeur ne peut pas être négative."]}),
        ({"payroll": "-0.01"}, {"payroll": ["La valeur ne peut pas être négative."]}),
        ({"payroll": "100000000000.01"}, {"payroll": ["Cette valeur n'est pas plausible : vérifiez-la."]}),
        ({"headcount": "1000001"}, {"headcount": ["Cette valeur n'est pas plausible : vérifiez-la."]}),
        ({"contracts": "12.5"}, {"contracts": ["Indiquez un nombre entier."]}),
        ({"headcount": "12,5"}, {"headcount": ["Indiquez un nombre entier."]}),
        ({"payroll": "1000.555"}, {"payroll": ["Deux décimales au plus."]}),
        ({"fte": "1.001"}, {"fte": ["Deux décimales au plus."]}),
        ({"payroll": "douze"}, {"payroll": ["Indiquez un nombre."]}),
        ({"payroll": "NaN"}, {"payroll": ["Indiquez un nombre."]}),
        ({"payroll": "Infinity"}, {"payroll": ["Indiquez un nombre."]}),
        ({"fte": "12.01"}, {"fte": ["Les ETP ne peuvent pas dépasser le nombre de salariés."]}),
        (
            {"headcount": "-3", "fte": "2", "payroll": "1,2,3"},
            {"headcount": ["La valeur ne peut pas être négative."], "payroll": ["Indiquez un nombre."]},
        ),
    ],
)
def test_wrong_figures_are_refused_field_by_field_and_nothing_is_written(campaign, values, errors):
    with pytest.raises(DomainError) as refused:
        submit(campaign, **values)
    assert refused.value.errors == errors
    assert refused.value.message == "La fiche contient des erreurs : corrigez les champs signalés."
    assert not AnnualDeclaration.objects.exists()
    assert not AuditEntry.objects.filter(action="billing.declaration_submit").exists()


def test_limits_themselves_are_accepted(campaign):
    declaration = submit(campaign, payroll="100000000000", headcount="12", fte="12", contracts="1000000")
    assert declaration.payroll == D("100000000000") and declaration.fte == D("12")
    assert (declaration.headcount, declaration.contracts) == (12, 1000000)


def test_a_whole_count_written_with_a_decimal_part_is_taken(campaign):
    declaration = submit(campaign, contracts="12,0", headcount="12.00")
    assert (declaration.contracts, declaration.headcount) == (12, 12)


def test_a_closed_campaign_takes_no_declaration(campaign):
    campaign_update(actor=admin(), campaign=campaign, deadline=campaign.deadline, status=CampaignStatus.CLOSED)
    campaign.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        submit(campaign)
    assert refused.value.message == "La campagne 2027 est close : contactez votre organisation."
    assert not AnnualDeclaration.objects.exists()


def test_a_second_submission_is_refused_and_the_first_kept(campaign):
    submit(campaign)
    with pytest.raises(Conflict) as refused:
        submit(campaign, email="m1-admin@alpha.test", payroll="1")
    assert refused.value.code == "already_submitted" and refused.value.status == 409
    assert "seule votre organisation peut la corriger" in refused.value.message
    assert AnnualDeclaration.objects.get().payroll == D("1250000")
    assert AuditEntry.objects.filter(action="billing.declaration_submit").count() == 1


def test_refusals_are_logged_with_the_service_and_the_person(campaign, billing_log):
    submit(campaign)
    with pytest.raises(Conflict):
        submit(campaign)
    with pytest.raises(DomainError):
        submit(campaign, member_name="Société Deux", email="m2-admin@alpha.test", headcount="-1")
    with pytest.raises(PermissionDenied):
        submit(campaign, email="m1-user@alpha.test")

    refusals = [record.getMessage() for record in billing_log if record.name == "modules.billing.refusals"]
    m1_admin, m2_admin, m1_user = (
        user(email).pk for email in ("m1-admin@alpha.test", "m2-admin@alpha.test", "m1-user@alpha.test")
    )
    assert refusals == [
        f"declaration_submit refused in alpha for user {m1_admin}: already_submitted "
        "La fiche 2027 a déjà été transmise : seule votre organisation peut la corriger.",
        f"declaration_submit refused in alpha for user {m2_admin}: invalid "
        "{'headcount': ['La valeur ne peut pas être négative.']}",
        f"declaration_submit refused in alpha for user {m1_user}: no right",
    ]
    assert all(record.levelname == "WARNING" for record in billing_log if record.name == "modules.billing.refusals")


def test_each_member_declares_for_itself(campaign):
    submit(campaign)
    submit(campaign, email="m2-admin@alpha.test", member_name="Société Deux", payroll="10")
    assert AnnualDeclaration.objects.count() == 2


@pytest.mark.parametrize(
    "email, member_name",
    [
        ("m1-user@alpha.test", "Société Un"),  # no right
        ("m1-delegate@alpha.test", "Société Un"),  # other rights only
        ("m2-admin@alpha.test", "Société Un"),  # another member's administrator
        ("admin@alpha.test", "Société Un"),  # staff correct, they do not declare
    ],
)
def test_only_people_with_the_right_declare(campaign, email, member_name):
    with pytest.raises(PermissionDenied):
        submit(campaign, email=email, member_name=member_name)
    assert not AnnualDeclaration.objects.exists()


def test_the_right_granted_to_a_user_lets_them_declare(campaign):
    from core.access.models import Membership
    from core.access.services import membership_update

    membership = Membership.objects.get(user=user("m1-user@alpha.test"))
    membership_update(
        actor=user("m1-admin@alpha.test"), membership=membership, role="user", rights=["billing.submit_declaration"]
    )
    assert submit(campaign, email="m1-user@alpha.test").member == member()


def test_two_submissions_at_once_leave_one_declaration(scratch, monkeypatch, mail_sink):
    created = in_own_connection(scratch, lambda: open_campaign().pk)
    assert "error" not in created, created

    def submission(payroll):
        def work():
            campaign = DeclarationCampaign.objects.get(pk=created["value"])
            return submit(campaign, payroll=payroll).payroll

        return work

    # Both pass their checks before either writes; the unique constraint lets one through.
    outcomes = race(
        scratch,
        monkeypatch,
        module=declarations,
        meeting_point="declaration_values_clean",
        works=[submission("1000"), submission("2000")],
    )
    errors = [outcome.get("error") for outcome in outcomes]
    assert sum(error is None for error in errors) == 1, outcomes
    refusal = next(error for error in errors if error is not None)
    assert isinstance(refusal, Conflict) and refusal.code == "already_submitted"
    winner = next(outcome["value"] for outcome in outcomes if "value" in outcome)
    with tenant_context(scratch):
        assert list(AnnualDeclaration.objects.values_list("payroll", flat=True)) == [winner]
        assert AuditEntry.objects.filter(action="billing.declaration_submit").count() == 1


# Correction ----------------------------------------------------------------------------------


def test_staff_correct_a_declaration_and_the_journal_keeps_before_after_and_reason(campaign):
    declaration = submit(campaign)
    corrected = declaration_correct(
        actor=admin(),
        declaration=declaration,
        values={**VALID, "payroll": "1300000", "fte": "11"},
        reason="Erreur de saisie signalée par téléphone",
    )
    stored = AnnualDeclaration.objects.get(pk=declaration.pk)
    assert (stored.payroll, stored.fte, stored.status) == (D("1300000"), D("11"), DeclarationStatus.CORRECTED)
    assert stored.corrected_at is not None and stored.submitted_by == user("m1-admin@alpha.test")
    assert corrected.pk == declaration.pk
    entry = AuditEntry.objects.get(action="billing.declaration_correct")
    assert entry.actor_email == "admin@alpha.test" and entry.member_id == member().pk
    assert entry.before == {"payroll": "1250000.00", "contracts": "10", "headcount": "12", "fte": "10.50"}
    assert entry.after == {
        "payroll": "1300000",
        "contracts": "10",
        "headcount": "12",
        "fte": "11",
        "reason": "Erreur de saisie signalée par téléphone",
    }


def test_a_correction_is_checked_like_a_submission(campaign):
    declaration = submit(campaign)
    with pytest.raises(DomainError) as refused:
        declaration_correct(actor=admin(), declaration=declaration, values={**VALID, "fte": "13"}, reason="Erreur")
    assert list(refused.value.errors) == ["fte"]
    assert AnnualDeclaration.objects.get().status == DeclarationStatus.SUBMITTED


def test_a_correction_needs_a_reason(campaign):
    declaration = submit(campaign)
    with pytest.raises(DomainError) as refused:
        declaration_correct(actor=admin(), declaration=declaration, values=VALID, reason=" ")
    assert refused.value.errors == {"reason": ["Indiquez le motif de la correction."]}
    assert not AuditEntry.objects.filter(action="billing.declaration_correct").exists()


@pytest.mark.parametrize("email", ["m1-admin@alpha.test", "jurist@alpha.test"])
def test_members_and_other_staff_cannot_correct(campaign, email):
    declaration = submit(campaign)
    with pytest.raises(PermissionDenied):
        declaration_correct(actor=user(email), declaration=declaration, values={**VALID, "payroll": "1"}, reason="x")
    assert AnnualDeclaration.objects.get().payroll == D("1250000")
