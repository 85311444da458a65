"""Operations pages."""

app_name = "ops"

urlpatterns: list = []
