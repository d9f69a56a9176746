"""Account-level predicates and the rights they grant."""

import rules
from django.db import connection
from django_tenants.utils import get_public_schema_name


@rules.predicate
def is_platform_operator(user) -> bool:
    return bool(user.is_authenticated and user.is_staff and connection.schema_name == get_public_schema_name())


@rules.predicate
def is_organisation_admin(user) -> bool:
    from .models import StaffRole

    return bool(
        user.is_authenticated
        and user.staff_role == StaffRole.ADMIN
        and connection.schema_name != get_public_schema_name()
    )


rules.add_perm("tenants.manage_organisations", is_platform_operator)
rules.add_perm("modules.manage_modules", is_organisation_admin)
