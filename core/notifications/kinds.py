"""The kinds of notification: core's own plus those each enabled module declares in its ModuleSpec."""

from django.utils.translation import gettext_lazy as _

from core.modules.registry import NotificationKind, registry

# Member users are never granted "access.manage_contacts" (it is not in the rights catalogue), and
# administrators hold every right: as a kind's right it means "administrators only".
ADMINISTRATORS_ONLY = "access.manage_contacts"

CORE_KINDS: tuple[NotificationKind, ...] = (
    NotificationKind("members.documents", _("Nouveau document"), "members.view_documents"),
    NotificationKind("access.changes", _("Changements d'utilisateurs et de droits"), ADMINISTRATORS_ONLY),
)


def kind_catalogue(enabled_modules=None) -> list[NotificationKind]:
    """Every kind; only core's and those of `enabled_modules` when given."""
    specs = registry.all() if enabled_modules is None else registry.enabled(enabled_modules)
    return [*CORE_KINDS, *(kind for spec in specs for kind in spec.notification_kinds)]


def kind_get(key: str, enabled_modules=None) -> NotificationKind:
    """The kind named `key` (among core's and those of `enabled_modules` when given); LookupError
    for an unknown key."""
    for kind in kind_catalogue(enabled_modules):
        if kind.key == key:
            return kind
    raise LookupError(f"Unknown notification kind {key!r}.")


def kind_receivable(kind: NotificationKind, membership) -> bool:
    """Whether the membership may receive `kind` at all (active, holding its right)."""
    if not membership.is_active:
        return False
    return kind.right is None or membership.holds(kind.right)
