from django.urls import include, path

app_name = "forum"

urlpatterns = [
    # Moderation, search and translation pages live in their own module.
    path("", include("comity.forum.moderation_urls")),
]
