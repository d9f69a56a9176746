"""OpenAPI schema per organisation: only the routes of the modules it has switched on."""

from drf_spectacular.generators import SchemaGenerator

from core.modules.registry import registry


class OrganisationSchemaGenerator(SchemaGenerator):
    def parse(self, input_request, public):
        self._enabled = set(getattr(getattr(input_request, "tenant", None), "enabled_modules", []) or [])
        return super().parse(input_request, public)

    def _get_paths_and_endpoints(self):
        self._initialise_endpoints()
        enabled = getattr(self, "_enabled", None)
        if enabled is not None:
            self.endpoints = [endpoint for endpoint in self.endpoints if self._module_allowed(endpoint[0], enabled)]
        return super()._get_paths_and_endpoints()

    @staticmethod
    def _module_allowed(path: str, enabled: set[str]) -> bool:
        parts = path.strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "api" and parts[1] in registry:
            return parts[1] in enabled
        return True
