"""Writes on access: inviting contacts and delegates, their rights, removal, the active member.

Rules kept by every path: a member that has an administrator always keeps at least one, and the
organisation always keeps one working staff administrator. The member's row (or the staff
administrators' rows) is locked while a rule is checked, so two concurrent removals cannot both pass.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.accounts.expiry import EXPIRED, account_expired
from core.accounts.models import StaffRole, User
from core.accounts.services import user_password_set
from core.audit.services import audit_record
from core.errors import Conflict, DomainError
from core.mail.services import email_queue
from core.members.models import Member

from .models import MemberRole, Membership, MembershipKind, MembershipState
from .rights import right_codenames
from .selectors import account_shared

MEMBERSHIP_LINK_LIFETIME = timedelta(days=7)
LINK_INVALID = gettext_lazy(
    "Ce lien n'est plus valable. Demandez à l'administrateur de l'adhérent de vous le renvoyer."
)


class LastAdministrator(Conflict):
    """The change would leave a member without an administrator (409 in the API)."""


class LastOrganisationAdministrator(Conflict):
    """The change would leave the organisation without a working staff administrator."""


class MembershipGone(DomainError):
    """The membership was removed meanwhile (e.g. by another administrator at the same time)."""

    status = 404
    code = "not_found"


def _membership_locked(pk: int) -> Membership:
    """Re-read a membership under lock; a concurrent removal gives a French refusal, not a 500."""
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("user", "member").filter(pk=pk).first()
    )
    if membership is None:
        raise MembershipGone(_("Cet accès n'existe plus : il vient d'être retiré."))
    return membership


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _snapshot(membership: Membership) -> dict:
    return {"role": membership.role, "rights": sorted(membership.rights), "state": membership.state}


def _audit_change(*, actor, action: str, membership: Membership, before: dict) -> None:
    """Journal a change of `membership`: `before` as given, after as it now stands."""
    audit_record(
        actor=actor,
        action=action,
        target=membership,
        member=membership.member,
        before=before,
        after=_snapshot(membership),
    )


def _clean_rights(rights: Iterable[str]) -> list[str]:
    rights = sorted(set(rights))
    known = right_codenames()
    unknown = [codename for codename in rights if codename not in known]
    if unknown:
        raise DomainError(
            _("Droit inconnu : %(rights)s.") % {"rights": ", ".join(unknown)},
            errors={"rights": [_("Droit inconnu.")]},
        )
    return rights


def _clean_role(role: str) -> str:
    if role not in MemberRole.values:
        raise DomainError(_("Rôle inconnu : %(role)s.") % {"role": role}, errors={"role": [_("Rôle inconnu.")]})
    return role


def _clean_kind(kind: str) -> str:
    if kind not in MembershipKind.values:
        raise DomainError(_("Type d'utilisateur inconnu."), errors={"kind": [_("Type inconnu.")]})
    return kind


def _refuse_staff_address(user: User) -> None:
    """Staff act as the organisation, never for a member: a membership of theirs would grant
    nothing, yet count as the member's administrator."""
    if user.staff_role:
        raise DomainError(
            _("Cette adresse appartient à un membre de l'équipe de l'organisation."),
            errors={"email": [_("Adresse réservée à l'équipe.")]},
        )


def _lock(member: Member) -> Member:
    return Member.objects.select_for_update().get(pk=member.pk)


def administrators_remaining(member: Member, *, without_user: User | None, lasting_until: date | None = None) -> int:
    """Active administrators of `member` other than `without_user` whose account still works
    (and, with `lasting_until`, does not expire before that day)."""
    admins = Membership.objects.filter(
        member=member, role=MemberRole.ADMINISTRATOR, state=MembershipState.ACTIVE, user__is_active=True
    ).exclude(user=without_user)
    return admins.exclude(user__expires_on__lte=_horizon(lasting_until)).count()


def _horizon(lasting_until: date | None) -> date:
    today = timezone.localdate()
    return max(today, lasting_until) if lasting_until else today


def organisation_administrators_remaining(*, without_user: User | None, lasting_until: date | None = None) -> int:
    """Working staff administrators other than `without_user` (lasting beyond `lasting_until`)."""
    admins = User.objects.filter(staff_role=StaffRole.ADMIN, is_active=True)
    if without_user is not None:
        admins = admins.exclude(pk=without_user.pk)
    return admins.exclude(expires_on__lte=_horizon(lasting_until)).count()


def refuse_last_organisation_administrator(user: User, *, lasting_until: date | None = None) -> None:
    """Refuse to end, downgrade or (with `lasting_until`) time-limit the last working staff
    administrator. Locks every staff administrator's row, in one order, so that two
    administrators removing each other at the same time cannot both pass."""
    if user.staff_role != StaffRole.ADMIN or not user.is_active:
        return
    list(User.objects.select_for_update().filter(staff_role=StaffRole.ADMIN).order_by("pk").values_list("pk"))
    if organisation_administrators_remaining(without_user=user, lasting_until=lasting_until):
        return
    raise LastOrganisationAdministrator(
        _(
            "%(person)s est le dernier administrateur de l'organisation : nommez d'abord un autre "
            "administrateur dont l'accès dure plus longtemps."
        )
        % {"person": user},
        errors={"staff_role": [_("L'organisation garde toujours au moins un administrateur.")]},
        code="last_organisation_administrator",
    )


def is_last_administrator(membership: Membership, *, lasting_until: date | None = None) -> bool:
    """Whether `membership` is its member's last working administrator (lasting beyond `lasting_until`)."""
    return (
        membership.is_administrator
        and membership.is_active
        and not administrators_remaining(membership.member, without_user=membership.user, lasting_until=lasting_until)
    )


def _refuse_last_administrator(membership: Membership, *, lasting_until: date | None = None) -> None:
    if not is_last_administrator(membership, lasting_until=lasting_until):
        return
    raise LastAdministrator(
        _(
            "%(person)s est le dernier administrateur de %(member)s : désignez d'abord un autre "
            "administrateur (un successeur)."
        )
        % {"person": membership.user, "member": membership.member},
        errors={"role": [_("Un adhérent garde toujours au moins un administrateur.")]},
        code="last_administrator",
    )


def _send_link(*, membership: Membership, accept_url_template: str, actor) -> None:
    token = secrets.token_urlsafe(32)
    membership.token_hash = _token_hash(token)
    membership.token_expires_at = timezone.now() + MEMBERSHIP_LINK_LIFETIME
    membership.save(update_fields=["token_hash", "token_expires_at", "updated_at"])
    email_queue(
        to=membership.user.email,
        subject=_("Votre accès à l'espace de %(member)s") % {"member": membership.member},
        template="access/email/membership_invitation.txt",
        context={
            "accept_url": accept_url_template.format(token=token),
            "membership": membership,
            "invited_by": actor,
        },
    )


def membership_invite(
    *,
    actor,
    member: Member,
    email: str,
    accept_url_template: str,
    full_name: str = "",
    role: str = MemberRole.USER,
    kind: str = MembershipKind.CONTACT,
    rights: Iterable[str] = (),
) -> Membership:
    """Attach a person to a member, pending until they click the e-mailed link.

    The account is created if the e-mail is new in this organisation; an external user (accounting
    firm) already acting for other members keeps their account and password.
    """
    email = User.objects.normalize_email(email or "").strip().lower()
    if not email:
        raise DomainError(_("L'adresse e-mail est obligatoire."), errors={"email": [_("Champ obligatoire.")]})
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(_("Adresse e-mail invalide."), errors={"email": [_("Adresse e-mail invalide.")]}) from exc
    role, rights, kind = _clean_role(role), _clean_rights(rights), _clean_kind(kind)
    with transaction.atomic():
        member = _lock(member)
        user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name.strip()})
        _refuse_staff_address(user)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        elif not user.is_active:
            # Its link could never be used: say so now rather than leave the person pending.
            raise DomainError(
                _("Le compte de %(email)s est désactivé : demandez à votre organisation de le réactiver.")
                % {"email": email},
                errors={"email": [_("Compte désactivé.")]},
            )
        if Membership.objects.filter(user=user, member=member).exists():
            raise DomainError(
                _("%(email)s a déjà accès à cet adhérent.") % {"email": email},
                errors={"email": [_("Déjà rattaché à cet adhérent.")]},
                code="duplicate",
            )
        membership = Membership.objects.create(user=user, member=member, role=role, kind=kind, rights=rights)
        _send_link(membership=membership, accept_url_template=accept_url_template, actor=actor)
        audit_record(
            actor=actor, action="membership.invite", target=membership, member=member, after=_snapshot(membership)
        )
    return membership


def membership_link_resend(*, actor, membership: Membership, accept_url_template: str) -> Membership:
    """Send a new validation link to a pending person; the previous link stops working."""
    with transaction.atomic():
        # Read under lock: a link accepted or an access removed meanwhile is refused in French.
        membership = _membership_locked(membership.pk)
        if membership.is_active:
            raise DomainError(_("Cet accès est déjà validé."), code="already_active")
        _send_link(membership=membership, accept_url_template=accept_url_template, actor=actor)
        audit_record(actor=actor, action="membership.resend", target=membership, member=membership.member)
    return membership


def _pending_for_token(token: str, *, lock: bool = False) -> Membership | None:
    pending = Membership.objects.select_related("user", "member").filter(
        token_hash=_token_hash(token),
        state=MembershipState.PENDING,
        token_expires_at__gt=timezone.now(),
        user__is_active=True,
    )
    if lock:
        pending = pending.select_for_update(of=("self",))
    return pending.first()


def membership_for_token(token: str) -> Membership:
    """The pending membership behind a link; unknown, used, replaced and expired look the same."""
    membership = _pending_for_token(token)
    if membership is None:
        raise DomainError(LINK_INVALID, code="link_invalid")
    return membership


def membership_accept(*, token: str, password: str | None = None, password_required: bool = True) -> Membership:
    """Validate a pending membership; a person without a password chooses one here (unless the
    organisation logs in without passwords: `password_required=False`)."""
    with transaction.atomic():
        membership = _pending_for_token(token, lock=True)
        if membership is None:
            raise DomainError(LINK_INVALID, code="link_invalid")
        user = membership.user
        if account_expired(user):
            raise DomainError(EXPIRED, code="expired")
        # A password is only ever chosen here for an account without one: the link must not
        # replace the password of an existing account.
        if password_required and not user.has_usable_password():
            if not password:
                raise DomainError(_("Choisissez un mot de passe."), errors={"password": [_("Champ obligatoire.")]})
            user_password_set(actor=user, user=user, password=password)
        before = _snapshot(membership)
        membership.state = MembershipState.ACTIVE
        membership.token_hash, membership.token_expires_at = "", None
        membership.save(update_fields=["state", "token_hash", "token_expires_at", "updated_at"])
        _audit_change(actor=user, action="membership.accept", membership=membership, before=before)
    return membership


def membership_update(*, actor, membership: Membership, role: str, rights: Iterable[str]) -> Membership:
    """Change a person's role and rights for one member; the last administrator stays one."""
    role, rights = _clean_role(role), _clean_rights(rights)
    with transaction.atomic():
        _lock(membership.member)
        membership = _membership_locked(membership.pk)
        before = _snapshot(membership)
        if role != MemberRole.ADMINISTRATOR:
            _refuse_last_administrator(membership)
        membership.role, membership.rights = role, rights
        membership.save(update_fields=["role", "rights", "updated_at"])
        _audit_change(actor=actor, action="membership.update", membership=membership, before=before)
    return membership


def _refuse_invalid_successor(*, member: Member, leaving_user: User, successor: Membership) -> None:
    """A successor is another person of the same member, whose access is validated and working."""
    if successor.member_id != member.pk or successor.user_id == leaving_user.pk:
        raise DomainError(
            _("Le successeur doit être un autre utilisateur de %(member)s.") % {"member": member},
            errors={"successor": [_("Successeur invalide.")]},
        )
    if not successor.is_active:
        raise DomainError(
            _("Le successeur doit avoir validé son accès."),
            errors={"successor": [_("Accès en attente de validation.")]},
        )
    if not successor.user.is_active or account_expired(successor.user):
        raise DomainError(
            _("Le compte du successeur est désactivé ou expiré."),
            errors={"successor": [_("Compte désactivé ou expiré.")]},
        )


def _successor_promote(*, actor, member: Member, leaving_user: User, successor: Membership) -> None:
    successor = _membership_locked(successor.pk)
    _refuse_invalid_successor(member=member, leaving_user=leaving_user, successor=successor)
    if not successor.is_administrator:
        membership_update(actor=actor, membership=successor, role=MemberRole.ADMINISTRATOR, rights=[])


def membership_remove(*, actor, membership: Membership, successor: Membership | None = None) -> None:
    """Detach a person from a member. A leaving last administrator names a successor, who
    becomes administrator in the same transaction."""
    with transaction.atomic():
        member = _lock(membership.member)
        membership = _membership_locked(membership.pk)
        if successor is not None:
            _successor_promote(actor=actor, member=member, leaving_user=membership.user, successor=successor)
        _refuse_last_administrator(membership)
        audit_record(
            actor=actor, action="membership.remove", target=membership, member=member, before=_snapshot(membership)
        )
        membership.delete()


def user_deactivate(*, actor, user: User, successors: dict[int, Membership] | None = None) -> User:
    """Deactivate an account; for each member it is the last administrator of, a successor is
    required (`successors` maps member id to the membership to promote). The organisation's last
    working staff administrator cannot be deactivated."""
    successors = successors or {}
    with transaction.atomic():
        refuse_last_organisation_administrator(user)
        for membership in Membership.objects.filter(user=user).select_related("member", "user"):
            member = _lock(membership.member)
            successor = successors.get(membership.member_id)
            if successor is not None:
                _successor_promote(actor=actor, member=member, leaving_user=user, successor=successor)
            _refuse_last_administrator(membership)
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(actor=actor, action="user.deactivate", target=user, before={"is_active": True})
    return user


def user_expiry_set(*, actor, user: User, expires_on: date | None, member: Member | None = None) -> User:
    """Give an account an end date (or none). The last administrator of a member, or of the
    organisation, cannot be given one unless another administrator's account lasts beyond it."""
    with transaction.atomic():
        if expires_on is not None:
            refuse_last_organisation_administrator(user, lasting_until=expires_on)
            for membership in Membership.objects.filter(user=user).select_related("member", "user"):
                _lock(membership.member)
                _refuse_last_administrator(membership, lasting_until=expires_on)
        before = {"expires_on": user.expires_on.isoformat() if user.expires_on else None}
        user.expires_on = expires_on
        user.save(update_fields=["expires_on"])
        audit_record(
            actor=actor,
            action="user.expiry_set",
            target=user,
            member=member,
            before=before,
            after={"expires_on": expires_on.isoformat() if expires_on else None},
        )
    return user


def contact_expiry_set(*, actor, membership: Membership, expires_on: date | None) -> User:
    """A member administrator's end date for one of the member's own contacts. A delegate's
    account, or one also used for another member, is not the member's to time-limit: only the
    membership can be removed."""
    if membership.kind != MembershipKind.CONTACT or account_shared(membership=membership):
        raise DomainError(
            _(
                "Le compte de %(person)s sert aussi à d'autres adhérents : vous pouvez retirer son accès "
                "à %(member)s, pas lui fixer de date d'expiration."
            )
            % {"person": membership.user, "member": membership.member},
            errors={"expires_on": [_("Compte partagé avec d'autres adhérents.")]},
            code="shared_account",
        )
    return user_expiry_set(actor=actor, user=membership.user, expires_on=expires_on, member=membership.member)


def active_member_choose(*, request, member_id) -> Membership:
    """Switch the member the person acts for ("changer d'adhérent"); remembered on the account
    so that a new session and the API start on it."""
    from .acting import SESSION_KEY, active_membership_bind, memberships_of

    user = request.user
    try:
        membership = memberships_of(user).get(int(member_id))
    except (TypeError, ValueError):
        membership = None
    if membership is None:
        raise DomainError(_("Vous n'agissez pas pour cet adhérent."), code="not_found")
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = membership.member_id
    if user.last_member_id != membership.member_id:
        user.last_member_id = membership.member_id
        user.save(update_fields=["last_member_id"])
    active_membership_bind(request)
    return membership


def member_first_administrator_create(*, member: Member, user: User) -> Membership:
    """Make `user` the administrator of a member that has no working administrator yet (first
    connection through the member's contact address); refused once the member has one."""
    with transaction.atomic():
        member = _lock(member)
        _refuse_staff_address(user)
        if administrators_remaining(member, without_user=user):
            raise DomainError(
                _("%(member)s a déjà un administrateur : demandez-lui de vous donner accès.") % {"member": member},
                code="has_administrator",
            )
        membership = Membership.objects.filter(user=user, member=member).first()
        before = _snapshot(membership) if membership else {}
        if membership is None:
            membership = Membership(user=user, member=member, kind=MembershipKind.CONTACT)
        membership.role, membership.state = MemberRole.ADMINISTRATOR, MembershipState.ACTIVE
        membership.token_hash, membership.token_expires_at = "", None
        membership.save()
        _audit_change(actor=user, action="membership.first_administrator", membership=membership, before=before)
    return membership


def membership_grant(
    *,
    actor,
    member: Member,
    user: User,
    role: str = MemberRole.USER,
    kind: str = MembershipKind.CONTACT,
    rights: Iterable[str] = (),
) -> Membership:
    """Attach an existing account to a member, active at once (scripts and demo data, where
    nobody clicks a link); people invited from the pages go through `membership_invite`.
    Re-granting an existing membership follows the same rule: the last administrator stays one."""
    role, rights, kind = _clean_role(role), _clean_rights(rights), _clean_kind(kind)
    with transaction.atomic():
        member = _lock(member)
        _refuse_staff_address(user)
        membership = Membership.objects.select_related("user", "member").filter(user=user, member=member).first()
        before = _snapshot(membership) if membership else {}
        if membership is None:
            membership = Membership(user=user, member=member)
        elif role != MemberRole.ADMINISTRATOR:
            _refuse_last_administrator(membership)
        membership.role, membership.kind, membership.rights = role, kind, rights
        membership.state = MembershipState.ACTIVE
        membership.token_hash, membership.token_expires_at = "", None
        membership.save()
        _audit_change(actor=actor, action="membership.grant", membership=membership, before=before)
    return membership
