"""Template context: the number of unread notifications, counted only if a template shows it."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .selectors import notification_unread_count


def unread_notifications(request) -> dict:
    """`notifications_unread`: one query, run the first time a template reads it; the menu
    shows it beside the link at `notifications_inbox_url`."""
    user = getattr(request, "user", None)
    member = getattr(request, "active_member", None)
    if user is None or not user.is_authenticated or member is None:
        return {"notifications_unread": 0, "notifications_inbox_url": None}
    return {
        "notifications_unread": SimpleLazyObject(lambda: notification_unread_count(user=user, member=member)),
        "notifications_inbox_url": reverse("notifications:inbox"),
    }
