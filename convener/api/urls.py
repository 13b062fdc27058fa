from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("institutions", views.InstitutionViewSet)
router.register("people", views.PersonViewSet)
router.register("units", views.OrgUnitViewSet)
router.register("positions", views.PositionViewSet)
router.register("appointments", views.AppointmentViewSet)
router.register("seat-periods", views.SeatPeriodViewSet)
router.register("calls", views.CallViewSet, basename="call")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves its script as a file, so the CSP needs no inline script
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
