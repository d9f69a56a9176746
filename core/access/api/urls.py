"""API routes of access (filled by issue 4)."""

app_name = "api-access"
urlpatterns: list = []
