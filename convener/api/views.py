"""The REST API: declarations of querysets, serializers, filters and permissions; the rules
live in the models and services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from convener.nominations import services as call_services
from convener.nominations.models import Call, Candidacy
from convener.org.models import Appointment, OrgUnit, Position, SeatPeriod
from convener.people.models import Institution, Person

from . import filters, serializers
from .permissions import PublicReadManagerWrite
from .serializers import _as_drf


class RegistryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Read for everyone, create and update for managers; nothing is ever deleted here."""

    permission_classes = [PublicReadManagerWrite]


class InstitutionViewSet(RegistryViewSet):
    queryset = Institution.objects.order_by("name")
    serializer_class = serializers.InstitutionSerializer
    lookup_field = "slug"
    filterset_fields = ["country"]


class PersonViewSet(RegistryViewSet):
    queryset = Person.objects.order_by("sort_name", "id")
    serializer_class = serializers.PersonSerializer
    lookup_field = "slug"
    filterset_class = filters.PersonFilter


class OrgUnitViewSet(RegistryViewSet):
    queryset = OrgUnit.objects.select_related("parent").order_by("level", "name", "id")
    serializer_class = serializers.OrgUnitSerializer
    lookup_field = "slug"
    filterset_class = filters.OrgUnitFilter


class PositionViewSet(RegistryViewSet):
    queryset = (
        Position.objects.select_related("unit", "deputizes_for")
        .prefetch_related("seat_periods")
        .order_by("title", "id")
    )
    serializer_class = serializers.PositionSerializer
    lookup_field = "slug"
    filterset_class = filters.PositionFilter


class AppointmentViewSet(RegistryViewSet):
    queryset = Appointment.objects.select_related("person", "position", "appointed_by").order_by(
        "start", "id"
    )
    serializer_class = serializers.AppointmentSerializer
    filterset_class = filters.AppointmentFilter


class SeatPeriodViewSet(RegistryViewSet):
    queryset = SeatPeriod.objects.select_related("position").order_by("position__title", "start")
    serializer_class = serializers.SeatPeriodSerializer
    filterset_fields = ["position__slug"]


class CallViewSet(RegistryViewSet):
    serializer_class = serializers.CallSerializer
    filterset_fields = ["state"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        decided = [Candidacy.State.APPOINTED, Candidacy.State.NOT_APPOINTED]
        qs = (
            Call.objects.visible_to(user)
            .select_related("position", "committee")
            .annotate(n_decided=Count("candidacies", filter=Q(candidacies__state__in=decided)))
            .prefetch_related(
                Prefetch(
                    "candidacies",
                    queryset=Candidacy.objects.visible_to(user).select_related("nominee"),
                )
            )
            .order_by("-closes_at", "id")
        )
        return qs

    @extend_schema(request=serializers.TransitionSerializer, responses=serializers.CallSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the call along its state machine (open, close, review, cancel, reopen). A call
        is never decided here: only the decision, with its rationale and appointments, does
        that. A manager who is a candidate or nominator in the call is refused (403)."""
        call = self.get_object()
        body = serializers.TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            call = call_services.transition(call, by=request.user, **body.validated_data)
        except DjangoValidationError as error:
            raise _as_drf(error) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=call.pk)).data)
