"""Onboarding and life cycle of organisations. Every write is atomic and audited."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import get_public_schema_name, tenant_context

from core.accounts.models import StaffRole
from core.accounts.services import user_invite
from core.audit.services import audit_record
from core.errors import Conflict, DomainError
from core.modules.registry import registry

from .branding import logo_check
from .models import Domain, IdentityScheme, LoginMethod, Organisation, OrganisationKind, OrganisationStatus
from .schema_template import schema_clone_from_template
from .schema_versions import schema_version_of
from .validators import validate_colour, validate_hostname, validate_member_number_pattern, validate_slug


@dataclass
class OrganisationInput:
    """What an operator gives to onboard an organisation."""

    name: str
    slug: str
    kind: str
    identity_scheme: str
    admin_email: str
    login_methods: list[str] = field(default_factory=lambda: [LoginMethod.PASSWORD])
    allowed_modules: list[str] = field(default_factory=list)
    enabled_modules: list[str] | None = None  # None: every allowed module starts switched on
    member_number_pattern: str = ""
    extra_domains: list[str] = field(default_factory=list)
    primary_colour: str = "#1f4e79"
    logo: UploadedFile | None = None


def organisation_url(organisation: Organisation, path: str = "/") -> str:
    """Absolute URL on the organisation's primary domain (with the dev server's port if any)."""
    domain = organisation.get_primary_domain()
    host = f"{domain.domain}:{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else domain.domain
    return f"{settings.PLATFORM_SCHEME}://{host}{path}"


def primary_domain_for(slug: str) -> str:
    return f"{slug}.{settings.PLATFORM_DOMAIN}"


def _unknown_modules_message(keys) -> str | None:
    """The French refusal for module keys the registry does not know, or None when all are known."""
    unknown = sorted(set(keys) - set(registry.keys()))
    return _("Module inconnu : %(modules)s.") % {"modules": ", ".join(unknown)} if unknown else None


def _collect_errors(data: OrganisationInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def check(name: str, validator, value) -> None:
        try:
            validator(value)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)

    if not data.name.strip():
        errors["name"] = [_("Le nom est obligatoire.")]
    check("slug", validate_slug, data.slug)
    if "slug" not in errors and Organisation.objects.filter(slug=data.slug).exists():
        errors["slug"] = [_("L'identifiant « %(slug)s » est déjà utilisé.") % {"slug": data.slug}]
    if data.kind not in OrganisationKind.values:
        errors["kind"] = [_("Type d'organisation inconnu : %(kind)s.") % {"kind": data.kind}]
    if data.identity_scheme not in IdentityScheme.values:
        errors["identity_scheme"] = [
            _("Mode d'identification inconnu : %(scheme)s.") % {"scheme": data.identity_scheme}
        ]
    elif data.identity_scheme == IdentityScheme.MEMBER_NUMBER:
        if not data.member_number_pattern:
            errors["member_number_pattern"] = [_("Indiquez le format du numéro d'adhérent (par ex. \\d{7}).")]
        else:
            check("member_number_pattern", validate_member_number_pattern, data.member_number_pattern)
    if not data.login_methods:
        errors["login_methods"] = [_("Choisissez au moins un mode de connexion.")]
    unknown_methods = sorted(set(data.login_methods) - set(LoginMethod.values))
    if unknown_methods:
        errors["login_methods"] = [
            _("Mode de connexion inconnu : %(methods)s.") % {"methods": ", ".join(unknown_methods)}
        ]
    if unknown_allowed := _unknown_modules_message(data.allowed_modules):
        errors["allowed_modules"] = [unknown_allowed]
    if data.enabled_modules is not None:
        not_allowed = sorted(set(data.enabled_modules) - set(data.allowed_modules))
        if unknown_enabled := _unknown_modules_message(data.enabled_modules):
            errors["enabled_modules"] = [unknown_enabled]
        elif not_allowed:
            errors["enabled_modules"] = [
                _("Module non prévu par l'offre : %(modules)s.") % {"modules": ", ".join(not_allowed)}
            ]
    domains = [primary_domain_for(data.slug), *data.extra_domains]
    for domain in data.extra_domains:
        check("extra_domains", validate_hostname, domain)
    if len(set(domains)) != len(domains):
        errors.setdefault("extra_domains", []).append(_("Un même domaine est indiqué deux fois."))
    taken = sorted(Domain.objects.filter(domain__in=domains).values_list("domain", flat=True))
    if taken:
        errors.setdefault("extra_domains", []).append(
            _("Domaine déjà utilisé : %(domains)s.") % {"domains": ", ".join(taken)}
        )
    check("primary_colour", validate_colour, data.primary_colour)
    try:
        validate_email(data.admin_email)
    except ValidationError:
        errors["admin_email"] = [_("Adresse e-mail de l'administrateur invalide.")]
    if data.logo is not None:
        check("logo", logo_check, data.logo)
    return errors


def organisation_create(*, actor, data: OrganisationInput) -> Organisation:
    """Register the organisation, clone its schema from the template and invite its first
    administrator, all in one transaction: on any failure nothing is left behind."""
    errors = _collect_errors(data)
    if errors:
        raise DomainError(_("L'organisation n'a pas été créée : corrigez les champs signalés."), errors=errors)
    enabled = list(data.allowed_modules) if data.enabled_modules is None else list(data.enabled_modules)
    stored_logo: list[str] = []
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                schema_name=data.slug.replace("-", "_"),
                name=data.name.strip(),
                slug=data.slug,
                kind=data.kind,
                identity_scheme=data.identity_scheme,
                member_number_pattern=data.member_number_pattern,
                login_methods=list(dict.fromkeys(data.login_methods)),
                allowed_modules=sorted(set(data.allowed_modules)),
                enabled_modules=sorted(set(enabled)),
                primary_colour=data.primary_colour,
            )
            Domain.objects.create(domain=primary_domain_for(data.slug), tenant=organisation, is_primary=True)
            for extra in data.extra_domains:
                Domain.objects.create(domain=extra, tenant=organisation, is_primary=False)
            schema_clone_from_template(schema_name=organisation.schema_name)
            organisation.schema_version = schema_version_of(organisation.schema_name)
            organisation.save(update_fields=["schema_version"])
            audit_record(
                actor=actor,
                action="organisation.create",
                target=organisation,
                after={"slug": organisation.slug, "modules": organisation.enabled_modules},
            )
            with tenant_context(organisation):
                user_invite(
                    actor=None,
                    email=data.admin_email,
                    staff_role=StaffRole.ADMIN,
                    accept_url_template=organisation_url(organisation, "/compte/invitation/{token}/"),
                )
                if data.logo is not None:
                    # Saved in the organisation's context, so the file lands in its own folder.
                    organisation.logo.save(data.logo.name, data.logo, save=True)
                    stored_logo.append(organisation.logo.name)
    except Exception as exc:
        if stored_logo:  # the transaction rolled back: remove the file it wrote
            with tenant_context(organisation):
                organisation.logo.storage.delete(stored_logo[0])
        if isinstance(exc, IntegrityError):  # another operator took the slug or a domain meanwhile
            raise DomainError(
                _("L'organisation n'a pas été créée : identifiant ou domaine pris entre-temps."),
                errors={"slug": [_("Cet identifiant ou l'un des domaines vient d'être utilisé.")]},
            ) from exc
        raise
    return organisation


_TRANSITIONS = {
    "suspend": ({OrganisationStatus.ACTIVE}, OrganisationStatus.SUSPENDED),
    "resume": ({OrganisationStatus.SUSPENDED}, OrganisationStatus.ACTIVE),
    "archive": ({OrganisationStatus.ACTIVE, OrganisationStatus.SUSPENDED}, OrganisationStatus.ARCHIVED),
}
_TRANSITION_REFUSALS = {
    "suspend": gettext_lazy("Seule une organisation active peut être suspendue."),
    "resume": gettext_lazy("Seule une organisation suspendue peut être réactivée."),
    "archive": gettext_lazy("Cette organisation est déjà archivée."),
}


def organisation_change_status(*, actor, organisation: Organisation, transition: str) -> Organisation:
    """Suspend, resume or archive an organisation (its schema and data are kept)."""
    if transition not in _TRANSITIONS:
        raise DomainError(_("Action inconnue : %(transition)s.") % {"transition": transition})
    allowed_from, target = _TRANSITIONS[transition]
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if organisation.schema_name == get_public_schema_name():
            raise Conflict(_("La plateforme elle-même ne peut pas changer de statut."))
        if organisation.status not in allowed_from:
            raise Conflict(str(_TRANSITION_REFUSALS[transition]))
        before = organisation.status
        organisation.status = target
        organisation.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=f"organisation.{transition}",
            target=organisation,
            before={"status": before},
            after={"status": target},
        )
    return organisation


def organisation_module_set(*, actor, organisation: Organisation, key: str, enabled: bool) -> Organisation:
    """Switch one module on or off for an organisation; its data is kept either way."""
    if unknown := _unknown_modules_message([key]):
        raise DomainError(unknown, code="unknown_module")
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if key not in organisation.allowed_modules:
            raise DomainError(
                _("Le module « %(module)s » n'est pas prévu par votre offre.") % {"module": registry.get(key).label},
                code="module_not_allowed",
            )
        before = list(organisation.enabled_modules)
        modules = set(before) | {key} if enabled else set(before) - {key}
        organisation.enabled_modules = sorted(modules)
        organisation.save(update_fields=["enabled_modules"])
        audit_record(
            actor=actor,
            action="organisation.module_on" if enabled else "organisation.module_off",
            target=organisation,
            before={"modules": before},
            after={"modules": organisation.enabled_modules},
        )
    return organisation


def organisation_plan_set(*, actor, organisation: Organisation, allowed_modules: list[str]) -> Organisation:
    """Change which modules an organisation may use; a module leaving the plan is switched off
    (its data is kept), a module joining it stays off until the organisation switches it on."""
    if unknown := _unknown_modules_message(allowed_modules):
        raise DomainError(unknown, errors={"allowed_modules": [unknown]})
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = {"allowed": organisation.allowed_modules, "enabled": organisation.enabled_modules}
        organisation.allowed_modules = sorted(set(allowed_modules))
        organisation.enabled_modules = [key for key in organisation.enabled_modules if key in allowed_modules]
        organisation.save(update_fields=["allowed_modules", "enabled_modules"])
        audit_record(
            actor=actor,
            action="organisation.plan_change",
            target=organisation,
            before=before,
            after={"allowed": organisation.allowed_modules, "enabled": organisation.enabled_modules},
        )
    return organisation


def platform_ensure(*, operator_email: str | None = None, operator_password: str | None = None) -> Organisation:
    """The public-schema row and domain that serve the operator console, and optionally an operator."""
    from core.accounts.models import User

    with transaction.atomic():
        platform, _created = Organisation.objects.get_or_create(
            schema_name=get_public_schema_name(),
            defaults={
                "name": "Adhera",
                "slug": "platform",
                "kind": OrganisationKind.OTHER,
                "identity_scheme": IdentityScheme.SIRET,
                "login_methods": [LoginMethod.PASSWORD],
            },
        )
        Domain.objects.get_or_create(domain=settings.PLATFORM_DOMAIN, defaults={"tenant": platform, "is_primary": True})
        if operator_email and not User.objects.filter(email=operator_email).exists():
            User.objects.create_user(operator_email, operator_password, is_staff=True)
    return platform
