"""Forum routes under /api/v1/: spaces, threads (with their posts) and search."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from comity.forum.api import views

router = SimpleRouter()
router.register("spaces", views.SpaceViewSet, basename="forum-space")
router.register("threads", views.ThreadViewSet, basename="forum-thread")

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="forum-search"),
    *router.urls,
]
