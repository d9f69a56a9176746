"""`ModuleSpec` and the registry that modules fill from their `AppConfig.ready()`.

Core never imports a module: it asks this registry for the modules' URLs, API routes, menu
entries, rights, scheduled jobs and settings forms, and filters by the organisation's enabled set.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from celery.schedules import crontab
from django.urls import URLPattern, URLResolver, include, path


@dataclass(frozen=True)
class MenuEntry:
    """A link in the member space's navigation."""

    label: str
    url_name: str  # namespaced, e.g. "questions:home"
    permission: str | None = None  # a rules permission the user must hold to see it


@dataclass(frozen=True)
class Right:
    """A right a member administrator or tenant administrator can grant."""

    codename: str  # "<module>.<verb>_<object>"
    label: str


@dataclass(frozen=True)
class NotificationKind:
    """A kind of e-mail a member's contacts can choose to receive (see core.notifications)."""

    key: str  # "<module>.<event>", e.g. "questions.answered"
    label: str
    right: str | None = None  # only contacts holding this right can receive it


@dataclass(frozen=True)
class ScheduledJob:
    """A periodic task run in every organisation that has the module switched on."""

    name: str
    task: str
    schedule: crontab


@dataclass(frozen=True)
class ContributionBasis:
    """A figure per member that a module offers to price the cotisation (e.g. a declared headcount).

    `provider` is the dotted path of a function `(*, member_ids, year) -> {member_id: Decimal}` run
    in the organisation's schema; billing reads it without importing the module.
    """

    key: str  # "<module>.<figure>", e.g. "health.headcount"
    label: str
    provider: str


@dataclass(frozen=True)
class ModuleSpec:
    key: str
    label: str
    description: str
    urls: str  # dotted path of the pages' URLconf
    api_urls: str | None = None  # dotted path of the API URLconf (a DRF router's urls)
    menu: tuple[MenuEntry, ...] = ()
    rights: tuple[Right, ...] = ()
    scheduled_jobs: tuple[ScheduledJob, ...] = ()
    settings_form: str | None = None  # dotted path of a form class (see core.modules.settings)
    settings_defaults: dict = field(default_factory=dict)
    notification_kinds: tuple[NotificationKind, ...] = ()
    # Template of the module's card on a member's record page, rendered with `member` in context.
    member_card: str | None = None
    contribution_bases: tuple[ContributionBasis, ...] = ()


class ModuleRegistry:
    def __init__(self) -> None:
        self._specs: dict[str, ModuleSpec] = {}

    def register(self, spec: ModuleSpec) -> None:
        if spec.key in self._specs and self._specs[spec.key] != spec:
            raise ValueError(f"Module {spec.key!r} is registered twice.")
        self._specs[spec.key] = spec

    def get(self, key: str) -> ModuleSpec:
        return self._specs[key]

    def __contains__(self, key: str) -> bool:
        return key in self._specs

    def all(self) -> list[ModuleSpec]:
        return sorted(self._specs.values(), key=lambda spec: spec.key)

    def keys(self) -> list[str]:
        return [spec.key for spec in self.all()]

    def enabled(self, enabled_keys: Iterable[str]) -> list[ModuleSpec]:
        wanted = set(enabled_keys)
        return [spec for spec in self.all() if spec.key in wanted]

    def urlpatterns(self) -> list[URLPattern | URLResolver]:
        """Each module's pages under /<key>/ and its API under /api/<key>/, namespaced by key.

        The namespace is how `ModuleGateMiddleware` knows which module a route belongs to.
        """
        patterns: list[URLPattern | URLResolver] = []
        for spec in self.all():
            patterns.append(path(f"{spec.key}/", include((spec.urls, spec.key), namespace=spec.key)))
            if spec.api_urls:
                patterns.append(
                    path(f"api/{spec.key}/", include((spec.api_urls, spec.key), namespace=f"api-{spec.key}"))
                )
        return patterns

    def module_of_namespaces(self, namespaces: Iterable[str]) -> str | None:
        """The module key a resolved route belongs to, if any."""
        for namespace in namespaces:
            key = namespace.removeprefix("api-")
            if key in self._specs:
                return key
        return None


registry = ModuleRegistry()
