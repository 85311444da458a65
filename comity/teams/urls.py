"""Joint teams pages."""

app_name = "teams"

urlpatterns: list = []
