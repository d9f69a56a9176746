"""The registry itself: what modules register is what core reads."""

import pytest

from core.modules.registry import MenuEntry, ModuleRegistry, ModuleSpec, registry


def spec(**overrides) -> ModuleSpec:
    fields = dict(key="demo", label="Démo", description="", urls="modules.questions.urls")
    fields.update(overrides)
    return ModuleSpec(**fields)


def test_the_four_modules_register_from_their_app_configs():
    assert registry.keys() == ["billing", "health", "purchasing", "questions"]
    assert registry.get("questions").menu == (
        MenuEntry("Questions juridiques", "questions:list", "questions.use_questions"),
        MenuEntry("Questions à traiter", "questions:queue", "questions.work_questions"),
    )
    assert registry.get("questions").settings_defaults["answer_delay_working_days"] == 5


def test_a_key_cannot_be_registered_twice_with_another_spec():
    own = ModuleRegistry()
    own.register(spec())
    own.register(spec())  # the same spec again (apps reloaded) is harmless
    with pytest.raises(ValueError):
        own.register(spec(label="Autre"))


def test_enabled_keeps_registry_order_and_ignores_unknown_keys():
    assert [s.key for s in registry.enabled(["questions", "billing", "nope"])] == ["billing", "questions"]


@pytest.mark.parametrize(
    "namespaces, key",
    [(["questions"], "questions"), (["api-health"], "health"), (["accounts"], None), ([], None)],
)
def test_routes_are_attributed_to_their_module(namespaces, key):
    assert registry.module_of_namespaces(namespaces) == key
