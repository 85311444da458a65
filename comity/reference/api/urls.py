from rest_framework.routers import SimpleRouter

from comity.reference.api import views

router = SimpleRouter()
router.register("countries", views.CountryViewSet, basename="reference-country")
router.register("networks", views.NetworkViewSet, basename="reference-network")

urlpatterns = router.urls
