"""Accounts with an end date: whether one has expired, and the reminder sent the month before."""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit.services import audit_record
from core.mail.services import email_queue

from .models import StaffRole, User

EXPIRED = gettext_lazy(
    "Votre accès a expiré. Demandez à l'administrateur de votre adhérent, ou à votre organisation, de le prolonger."
)


def account_expired(user, *, today: date | None = None) -> bool:
    """Whether the account stopped working: it does so at the start of its `expires_on` day."""
    expires_on = getattr(user, "expires_on", None)
    return expires_on is not None and expires_on <= (today or timezone.localdate())


def next_month(today: date) -> tuple[date, date]:
    """First and last day of the month after `today`'s."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Expiring:
    """One person whose account ends soon, as told to someone who answers for them."""

    person: User
    member_name: str


def _answerers(people: list[User], today: date) -> dict[str, list[Expiring]]:
    """Who answers for each expiring person: the working administrators of the members they act
    for and, for the organisation's staff, its staff administrators. Keyed by e-mail."""
    from core.access.models import MemberRole, Membership, MembershipState

    def working(user) -> bool:
        return user.is_active and not account_expired(user, today=today)

    memberships = Membership.objects.filter(user__in=people, state=MembershipState.ACTIVE).select_related("member")
    member_ids = {membership.member_id for membership in memberships}
    administrators = defaultdict(list)
    for admin in Membership.objects.filter(
        member_id__in=member_ids, role=MemberRole.ADMINISTRATOR, state=MembershipState.ACTIVE
    ).select_related("user"):
        if working(admin.user):
            administrators[admin.member_id].append(admin.user)
    staff_admins = [user for user in User.objects.filter(staff_role=StaffRole.ADMIN) if working(user)]

    notices: dict[str, list[Expiring]] = defaultdict(list)
    for membership in memberships:
        for admin in administrators[membership.member_id]:
            if admin.pk != membership.user_id:
                notices[admin.email].append(Expiring(membership.user, membership.member.name))
    for person in people:
        if person.staff_role:
            for admin in staff_admins:
                if admin.pk != person.pk:
                    notices[admin.email].append(Expiring(person, ""))
    return notices


def expiry_reminders_send(*, today: date) -> int:
    """E-mail each person whose account ends next month, and who answers for them; a person is
    reminded once per end date, so a second run sends nothing. Returns the people reminded."""
    first, last = next_month(today)
    with transaction.atomic():
        people = list(
            User.objects.select_for_update()
            .filter(is_active=True, expires_on__gte=first, expires_on__lte=last)
            .exclude(expiry_reminded_for=F("expires_on"))
        )
        if not people:
            return 0
        for person in people:
            email_queue(
                to=person.email,
                subject=_("Votre accès expire le %(date)s") % {"date": person.expires_on.strftime("%d/%m/%Y")},
                template="accounts/email/expiry_reminder.txt",
                context={"user": person},
            )
        for recipient, entries in sorted(_answerers(people, today).items()):
            entries = sorted(entries, key=lambda entry: (entry.person.expires_on, entry.person.email))
            email_queue(
                to=recipient,
                subject=_("Des accès expirent le mois prochain"),
                template="accounts/email/expiry_reminder_admin.txt",
                context={"entries": entries},
            )
        for person in people:
            person.expiry_reminded_for = person.expires_on
            person.save(update_fields=["expiry_reminded_for"])
            audit_record(
                actor=None,
                action="user.expiry_remind",
                target=person,
                after={"expires_on": person.expires_on.isoformat()},
            )
    return len(people)
