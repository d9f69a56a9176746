"""API routes of members (filled by issue 4)."""

app_name = "api-members"
urlpatterns: list = []
