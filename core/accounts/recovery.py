"""Getting (back) into an account by e-mailed link: password reset and first connection.

Requests answer nothing about who exists: the callers show the same page whatever happens here.
Accepting a link sets the password and ends the person's other sessions; the caller logs them in.
"""

import re

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit.services import audit_record
from core.errors import DomainError
from core.mail.services import email_queue

from .expiry import EXPIRED, account_expired
from .links import LINK_LIFETIME, link_issue, link_spend, link_usable, links_end
from .models import AccountLink, LinkPurpose, User
from .services import user_password_set
from .sessions import user_sessions_end

LINK_INVALID = gettext_lazy(
    "Ce lien n'est plus valable : il a déjà servi, a expiré ou a été remplacé par un plus récent."
)
ASK_ADMINISTRATOR = gettext_lazy(
    "Votre adhérent a déjà un administrateur : demandez-lui de vous donner accès à l'espace adhérent."
)
LINK_MINUTES = int(LINK_LIFETIME.total_seconds() // 60)


def _usable_or_refuse(token: str, *, purpose: str, lock: bool = False) -> AccountLink:
    link = link_usable(token, purpose=purpose, lock=lock)
    if link is None:
        raise DomainError(LINK_INVALID, code="link_invalid")
    if link.user is not None and account_expired(link.user):
        raise DomainError(EXPIRED, code="expired")
    return link


# Password reset


def password_reset_request(*, email: str, url_template: str) -> bool:
    """E-mail a reset link to the active account at `email`, if any (the newest link alone works).
    Returns whether a link left, for tests only: the caller answers the same either way."""
    user = User.objects.filter(email=User.objects.normalize_email(email), is_active=True).first()
    if user is None:
        return False
    with transaction.atomic():
        _link, token = link_issue(purpose=LinkPurpose.PASSWORD_RESET, email=user.email, user=user)
        email_queue(
            to=user.email,
            subject=_("Réinitialisation de votre mot de passe"),
            template="accounts/email/password_reset.txt",
            context={"url": url_template.format(token=token), "minutes": LINK_MINUTES, "user": user},
        )
        audit_record(actor=None, action="user.password_reset_request", target=user)
    return True


def password_reset_link(token: str) -> AccountLink:
    """The usable reset link behind `token`; used, replaced, expired and unknown look the same
    (an expired account is told so instead)."""
    return _usable_or_refuse(token, purpose=LinkPurpose.PASSWORD_RESET)


def password_reset_confirm(*, token: str, password: str) -> User:
    """Set the new password, spend the link and end every session of the person."""
    with transaction.atomic():
        link = _usable_or_refuse(token, purpose=LinkPurpose.PASSWORD_RESET, lock=True)
        user = link.user
        user_password_set(actor=user, user=user, password=password)
        link_spend(link)
        links_end(user=user, purposes=[LinkPurpose.PASSWORD_RESET, LinkPurpose.FIRST_CONNECTION])
        user_sessions_end(actor=user, user=user)
        audit_record(actor=user, action="user.password_reset", target=user)
    return user


# First connection


def _member_by_identifier(identifier: str, *, identity_scheme: str):
    from core.members.models import Member

    if identity_scheme == "siret":
        digits = re.sub(r"[\s.]", "", identifier)
        return Member.objects.filter(siret=digits).exclude(siret="").first() if digits.isdigit() else None
    value = identifier.strip()
    return Member.objects.filter(member_number=value).exclude(member_number="").first() if value else None


def _members_of_contact(email: str):
    from core.members.models import Member

    return list(Member.objects.filter(email__iexact=email).order_by("pk"))


def _without_administrator(members) -> list:
    from core.access.services import administrators_remaining

    return [member for member in members if not administrators_remaining(member, without_user=None)]


def first_connection_request(*, identifier: str, identity_scheme: str, url_template: str) -> str:
    """Send a first-connection link for a member number / SIRET (to the member's contact address)
    or for an e-mail (an account, or a member's contact address with no account yet).

    A contact address with no account whose members all have an administrator gets a message
    saying so instead of a link. Returns what happened ("link", "ask_admin", "none") for tests
    only: the caller answers the same either way.
    """
    identifier = (identifier or "").strip()
    if "@" in identifier:
        email = User.objects.normalize_email(identifier)
    else:
        member = _member_by_identifier(identifier, identity_scheme=identity_scheme)
        email = User.objects.normalize_email(member.email) if member is not None else ""
    if not email:
        return "none"
    user = User.objects.filter(email=email).first()
    if user is not None and not user.is_active:
        return "none"
    members = _members_of_contact(email) if user is None else []
    if user is None and not members:
        return "none"
    with transaction.atomic():
        if user is None and not _without_administrator(members):
            email_queue(
                to=email,
                subject=_("Votre accès à l'espace adhérent"),
                template="accounts/email/first_connection_ask_admin.txt",
                context={"members": members},
            )
            return "ask_admin"
        _link, token = link_issue(purpose=LinkPurpose.FIRST_CONNECTION, email=email, user=user)
        email_queue(
            to=email,
            subject=_("Votre première connexion à l'espace adhérent"),
            template="accounts/email/first_connection.txt",
            context={"url": url_template.format(token=token), "minutes": LINK_MINUTES, "user": user},
        )
        audit_record(actor=None, action="user.first_connection_request", target=user, after={"email": email})
    return "link"


def first_connection_link(token: str) -> AccountLink:
    """The usable first-connection link behind `token`."""
    return _usable_or_refuse(token, purpose=LinkPurpose.FIRST_CONNECTION)


def first_connection_accept(*, token: str, password: str | None) -> User:
    """Open the account behind the link: create it for a member's contact address, make it the
    administrator of that address' members that have none, set the password if one is given
    (the organisation's policy may not use passwords), spend the link, end other sessions."""
    from core.access.services import member_first_administrator_create

    with transaction.atomic():
        link = _usable_or_refuse(token, purpose=LinkPurpose.FIRST_CONNECTION, lock=True)
        user = link.user or User.objects.filter(email=link.email).first()
        if user is not None and not user.is_active:  # opened and deactivated since the link left
            raise DomainError(LINK_INVALID, code="link_invalid")
        if user is not None and account_expired(user):
            raise DomainError(EXPIRED, code="expired")
        created = user is None
        if created:
            user = User.objects.create_user(link.email, None)
            audit_record(actor=None, action="user.create", target=user, after={"email": user.email})
        if password is not None:
            user_password_set(actor=user, user=user, password=password)
        granted = []
        if not user.staff_role:
            for member in _without_administrator(_members_of_contact(link.email)):
                try:
                    member_first_administrator_create(member=member, user=user)
                except DomainError as error:  # an administrator appeared since the check
                    if error.code != "has_administrator":
                        raise
                else:
                    granted.append(member.pk)
        if created and not granted:
            raise DomainError(ASK_ADMINISTRATOR, code="has_administrator")
        link_spend(link)
        links_end(user=user, purposes=[LinkPurpose.PASSWORD_RESET, LinkPurpose.FIRST_CONNECTION])
        user_sessions_end(actor=user, user=user)
        audit_record(actor=user, action="user.first_connection", target=user, after={"administrator_of": granted})
    return user
