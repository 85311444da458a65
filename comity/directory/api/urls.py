"""Directory routes under /api/v1/: authorities (with availability), contacts, the finder."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from comity.directory.api import views

router = SimpleRouter()
router.register("authorities", views.AuthorityViewSet, basename="directory-authority")
router.register("contacts", views.ContactViewSet, basename="directory-contact")

urlpatterns = [
    path("finder/", views.FinderView.as_view(), name="directory-finder"),
    *router.urls,
]
