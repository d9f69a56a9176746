"""Campaigns, their cotisation rule, and members' data sheets (submitted once, corrected by staff)."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import audit_record
from core.errors import Conflict, DomainError
from core.members.models import Member

from ..bases import DECLARATION_FIELDS, basis_choices
from ..contribution import number_text
from ..models import (
    AnnualDeclaration,
    CampaignStatus,
    ContributionBracket,
    ContributionRule,
    DeclarationCampaign,
    DeclarationStatus,
    Invoice,
)
from ..policy import billing_policy
from .common import refusals_logged, refuse, require

YEAR_RANGE = range(2000, 2101)


@refusals_logged
def campaign_open(*, actor, year: int, deadline) -> DeclarationCampaign:
    """Open the data-sheet campaign of `year` (the cotisation year) with the organisation's fields;
    its rule starts as a copy of the previous campaign's."""
    require(actor, "billing.manage_billing")
    if year not in YEAR_RANGE:
        raise refuse("year", _("Indiquez une année entre 2000 et 2100."))
    policy = billing_policy()
    fields = [{"key": key, "required": key in policy.declaration_required} for key in policy.declaration_fields]
    try:
        with transaction.atomic():
            campaign = DeclarationCampaign.objects.create(year=year, deadline=deadline, fields=fields)
            previous = ContributionRule.objects.filter(campaign__year__lt=year).order_by("-campaign__year").first()
            if previous is None:
                ContributionRule.objects.create(campaign=campaign, label=f"Cotisation annuelle {year}")
            else:
                brackets = list(previous.brackets.all())
                previous.pk, previous.id, previous.campaign = None, None, campaign
                previous.label = f"Cotisation annuelle {year}"
                previous._state.adding = True
                previous.save()
                ContributionBracket.objects.bulk_create(
                    ContributionBracket(rule=previous, floor=b.floor, rate=b.rate) for b in brackets
                )
            audit_record(
                actor=actor,
                action="billing.campaign_open",
                target=campaign,
                after={"year": year, "deadline": str(deadline)},
            )
    except IntegrityError:
        raise Conflict(
            _("Une campagne existe déjà pour %(year)s.") % {"year": year},
            errors={"year": [_("Une campagne existe déjà pour cette année.")]},
        ) from None
    return campaign


@refusals_logged
def campaign_update(*, actor, campaign: DeclarationCampaign, deadline, status: str) -> DeclarationCampaign:
    require(actor, "billing.manage_billing")
    if status not in CampaignStatus.values:
        raise refuse("status", _("Statut inconnu."))
    with transaction.atomic():
        campaign = DeclarationCampaign.objects.select_for_update().get(pk=campaign.pk)
        before = {"deadline": str(campaign.deadline), "status": campaign.status}
        campaign.deadline, campaign.status = deadline, status
        campaign.save(update_fields=["deadline", "status"])
        audit_record(
            actor=actor,
            action="billing.campaign_update",
            target=campaign,
            before=before,
            after={"deadline": str(deadline), "status": status},
        )
    return campaign


def _figure(value, field: str, *, label: str, places: int = 2) -> Decimal:
    """A rule's amount (2 places) or bracket rate (4) as typed ("1 250,5"), with no more decimal
    places than its column keeps: the database would round the rest away without a word."""
    try:
        amount = Decimal(number_text(value))
    except (InvalidOperation, ValueError):
        raise refuse(field, _("%(label)s : indiquez un nombre.") % {"label": label}) from None
    if not amount.is_finite() or amount < 0:
        raise refuse(field, _("%(label)s : indiquez un nombre positif ou nul.") % {"label": label})
    if amount > Decimal("1000000000"):
        raise refuse(field, _("%(label)s : ce montant n'est pas plausible.") % {"label": label})
    step = Decimal(1).scaleb(-places)
    if amount != amount.quantize(step):
        if places == 2:
            raise refuse(field, _("%(label)s : deux décimales au plus.") % {"label": label})
        raise refuse(field, _("%(label)s : quatre décimales au plus.") % {"label": label})
    return amount.quantize(step)


@refusals_logged
def rule_save(
    *,
    actor,
    campaign: DeclarationCampaign,
    label: str,
    rate_basis: str,
    head_basis: str,
    brackets: list[tuple],
    per_head_amount,
    fixed_amount,
    minimum,
    maximum,
    vat_rate,
) -> ContributionRule:
    """Set the campaign's cotisation rule; refused once the campaign has been invoiced."""
    require(actor, "billing.manage_billing")
    bases = {basis.key for basis in basis_choices()}
    if rate_basis not in bases:
        raise refuse("rate_basis", _("Choisissez une assiette proposée."))
    if head_basis not in bases:
        raise refuse("head_basis", _("Choisissez une assiette proposée."))
    label = (label or "").strip()
    if not label or len(label) > 200:
        raise refuse("label", _("Indiquez le libellé de la ligne (200 caractères au plus)."))
    amounts = {
        "per_head_amount": _figure(per_head_amount or 0, "per_head_amount", label=_("Montant par tête")),
        "fixed_amount": _figure(fixed_amount or 0, "fixed_amount", label=_("Part fixe")),
        "minimum": _figure(minimum or 0, "minimum", label=_("Minimum")),
    }
    amounts["maximum"] = None if maximum in (None, "") else _figure(maximum, "maximum", label=_("Maximum"))
    if amounts["maximum"] is not None and amounts["maximum"] < amounts["minimum"]:
        raise refuse("maximum", _("Le maximum doit être supérieur ou égal au minimum."))
    vat = _figure(vat_rate if vat_rate not in (None, "") else 0, "vat_rate", label=_("Taux de TVA"))
    if vat > 100:
        raise refuse("vat_rate", _("Le taux de TVA est un pourcentage entre 0 et 100."))
    cleaned_brackets = {}
    for floor, rate in brackets:
        if floor in (None, "") and rate in (None, ""):
            continue
        floor_value = _figure(floor or 0, "brackets", label=_("Seuil de tranche"))
        rate_value = _figure(rate or 0, "brackets", label=_("Taux de tranche"), places=4)
        if rate_value > 100:
            raise refuse("brackets", _("Le taux d'une tranche est un pourcentage entre 0 et 100."))
        if floor_value in cleaned_brackets:
            raise refuse("brackets", _("Deux tranches ne peuvent pas commencer au même seuil."))
        cleaned_brackets[floor_value] = rate_value
    if cleaned_brackets and min(cleaned_brackets) != 0:
        raise refuse("brackets", _("La première tranche doit commencer à 0."))
    with transaction.atomic():
        DeclarationCampaign.objects.select_for_update().get(pk=campaign.pk)
        if Invoice.objects.filter(campaign=campaign).exists():
            raise Conflict(_("Des factures ont déjà été émises pour cette campagne : sa règle ne change plus."))
        rule, _created = ContributionRule.objects.get_or_create(campaign=campaign)
        before = _rule_dict(rule)
        rule.label, rule.rate_basis, rule.head_basis = label, rate_basis, head_basis
        for name, value in amounts.items():
            setattr(rule, name, value)
        rule.vat_rate = vat
        rule.save()
        rule.brackets.all().delete()
        ContributionBracket.objects.bulk_create(
            ContributionBracket(rule=rule, floor=floor, rate=rate) for floor, rate in sorted(cleaned_brackets.items())
        )
        audit_record(actor=actor, action="billing.rule_save", target=campaign, before=before, after=_rule_dict(rule))
    return rule


def _rule_dict(rule: ContributionRule) -> dict:
    return {
        "label": rule.label,
        "rate_basis": rule.rate_basis,
        "head_basis": rule.head_basis,
        "brackets": [[str(b.floor), str(b.rate)] for b in rule.brackets.all()],
        "per_head_amount": str(rule.per_head_amount),
        "fixed_amount": str(rule.fixed_amount),
        "minimum": str(rule.minimum),
        "maximum": None if rule.maximum is None else str(rule.maximum),
        "vat_rate": str(rule.vat_rate),
    }


def declaration_values_clean(*, campaign: DeclarationCampaign, values: dict) -> dict:
    """The data sheet's figures as stored, or a DomainError naming every wrong field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Decimal | int | None] = {}
    asked = {item["key"]: item["required"] for item in campaign.fields}
    for key, required in asked.items():
        field = DECLARATION_FIELDS[key]
        raw = values.get(key)
        raw = "" if raw is None else number_text(raw)
        if raw == "":
            if required:
                errors[key] = [_("Ce champ est obligatoire.")]
            cleaned[key] = None
            continue
        try:
            number = Decimal(raw)
        except InvalidOperation:
            errors[key] = [_("Indiquez un nombre.")]
            continue
        if not number.is_finite():
            errors[key] = [_("Indiquez un nombre.")]
        elif number < 0:
            errors[key] = [_("La valeur ne peut pas être négative.")]
        elif number > field.maximum:
            errors[key] = [_("Cette valeur n'est pas plausible : vérifiez-la.")]
        elif number != number.quantize(Decimal(1).scaleb(-field.decimals)):
            # "12,0" is a whole count; "12,5" is not, nor "1,234" euros.
            errors[key] = [_("Indiquez un nombre entier.") if field.decimals == 0 else _("Deux décimales au plus.")]
        else:
            cleaned[key] = int(number) if field.decimals == 0 else number
    fte, headcount = cleaned.get("fte"), cleaned.get("headcount")
    if fte is not None and headcount is not None and fte > headcount:
        errors.setdefault("fte", []).append(_("Les ETP ne peuvent pas dépasser le nombre de salariés."))
    if errors:
        raise DomainError(_("La fiche contient des erreurs : corrigez les champs signalés."), errors=errors)
    return cleaned


@refusals_logged
def declaration_submit(*, actor, member: Member, campaign: DeclarationCampaign, values: dict) -> AnnualDeclaration:
    """Submit the member's data sheet for the campaign: once, while the campaign is open."""
    require(actor, "billing.submit_declaration", member)
    if campaign.status != CampaignStatus.OPEN:
        raise Conflict(_("La campagne %(year)s est close : contactez votre organisation.") % {"year": campaign.year})
    cleaned = declaration_values_clean(campaign=campaign, values=values)
    try:
        with transaction.atomic():
            declaration = AnnualDeclaration.objects.create(
                campaign=campaign,
                member=member,
                status=DeclarationStatus.SUBMITTED,
                submitted_at=timezone.now(),
                submitted_by=actor,
                **{key: value for key, value in cleaned.items()},
            )
            audit_record(
                actor=actor,
                action="billing.declaration_submit",
                target=declaration,
                member=member,
                after={key: None if value is None else str(value) for key, value in cleaned.items()},
            )
    except IntegrityError:
        raise Conflict(
            _("La fiche %(year)s a déjà été transmise : seule votre organisation peut la corriger.")
            % {"year": campaign.year},
            code="already_submitted",
        ) from None
    return declaration


@refusals_logged
def declaration_correct(*, actor, declaration: AnnualDeclaration, values: dict, reason: str) -> AnnualDeclaration:
    """Staff correct a submitted data sheet; the journal keeps the figures before and after."""
    require(actor, "billing.manage_billing")
    reason = (reason or "").strip()
    if not reason:
        raise refuse("reason", _("Indiquez le motif de la correction."))
    cleaned = declaration_values_clean(campaign=declaration.campaign, values=values)
    with transaction.atomic():
        declaration = AnnualDeclaration.objects.select_for_update().get(pk=declaration.pk)
        before = {key: None if getattr(declaration, key) is None else str(getattr(declaration, key)) for key in cleaned}
        for key, value in cleaned.items():
            setattr(declaration, key, value)
        declaration.status = DeclarationStatus.CORRECTED
        declaration.corrected_at = timezone.now()
        declaration.save()
        audit_record(
            actor=actor,
            action="billing.declaration_correct",
            target=declaration,
            member=declaration.member,
            before=before,
            after={**{key: None if value is None else str(value) for key, value in cleaned.items()}, "reason": reason},
        )
    return declaration
