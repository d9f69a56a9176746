import pytest
from core.modules.models import ModuleSettings
from core.modules.registry import registry
from django.db import connection
pytestmark = pytest.mark.django_db

def test_debug(in_alpha):
    print("SCHEMA", connection.schema_name, list(ModuleSettings.objects.values_list("key", "values")))
    print("DEFAULTS", registry.get("billing").settings_defaults.get("seller_siret"))
