"""The REST API: declarations of querysets, serializers, filters and permissions; the rules
live in the models and services."""

import hashlib
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from convener.core import cache as page_cache
from convener.core.models import RegistryVersion
from convener.core.roles import Role, has_role
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
    """Read for everyone, create and update for managers; nothing is ever deleted here.

    A list depends on the registry alone (and on which confidential fields the reader's
    roles may read): each page of it is serialized once per registry version and shared by
    every process through the cache, with an ETag that a client can revalidate (304)."""

    permission_classes = [PublicReadManagerWrite]
    registry_list = True  # False for lists of what is not the registry (calls)

    def list(self, request, *args, **kwargs):
        known = {"page", "format"} | set(getattr(self, "filterset_fields", None) or [])
        if getattr(self, "filterset_class", None) is not None:
            known |= set(self.filterset_class.base_filters)
        if not self.registry_list or set(request.GET) - known:
            return super().list(request, *args, **kwargs)  # made-up parameters: not kept
        roles = [r for r in Role.values if has_role(request.user, r)]
        key = ":".join(
            [
                "api-list1",
                str(RegistryVersion.current()),
                ",".join(roles) or "-",
                request.get_host(),
                request.get_full_path(),
            ]
        )
        etag = '"' + hashlib.blake2b(key.encode(), digest_size=16).hexdigest() + '"'
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=304, headers={"ETag": etag})
        data = page_cache.get(key)
        if data is None:
            response = super().list(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            # plain JSON values: the serializer's own containers do not go into the cache
            data = json.loads(JSONRenderer().render(response.data))
            page_cache.set(key, data)
        return Response(data, headers={"ETag": etag})


class InstitutionViewSet(RegistryViewSet):
    queryset = Institution.objects.order_by("name")
    serializer_class = serializers.InstitutionSerializer
    lookup_field = "slug"
    filterset_fields = ["country"]


class PersonViewSet(RegistryViewSet):
    queryset = Person.objects.order_by("sort_key", "id")
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
    registry_list = False
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
