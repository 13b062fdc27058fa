"""API representations. Who may read a confidential field is decided in one place,
``core.permissions.CONFIDENTIAL_FIELDS``; every serializer leaves out what the requesting user
may not read (anonymous readers see public fields only). E-mail can be written, never read.
Every write goes through the model layer or a service, so the API obeys the same rules as
the forms and the admin."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import serializers

from convener.core.permissions import may_read_field
from convener.nominations import services as call_services
from convener.nominations.models import Call
from convener.org.models import LEVEL_CODES, Appointment, OrgUnit, Position, SeatPeriod
from convener.people.models import Institution, Person

from .fields import PartialDateField


def _as_drf(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


class AudienceMixin:
    """Leaves out of every representation the fields the requesting user may not read."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        model = self.Meta.model
        for name in [n for n in data if not may_read_field(user, model, n)]:
            del data[name]
        return data


class ModelRulesMixin(AudienceMixin):
    """Runs the model's full validation on create and update; its errors name the fields."""

    def _save(self, instance, data):
        for key, value in data.items():
            setattr(instance, key, value)
        try:
            with transaction.atomic():
                instance.full_clean()
                instance.save()
        except DjangoValidationError as error:
            raise _as_drf(error) from None
        return instance

    def create(self, validated_data):
        return self._save(self.Meta.model(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class InstitutionSerializer(ModelRulesMixin, serializers.ModelSerializer):
    id = serializers.SlugField(source="slug", read_only=True)
    country = serializers.CharField(max_length=2)

    class Meta:
        model = Institution
        fields = ["id", "name", "short_name", "country", "city", "ror"]


class PersonSerializer(ModelRulesMixin, serializers.ModelSerializer):
    id = serializers.SlugField(source="slug", read_only=True)
    email = serializers.EmailField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Person
        fields = ["id", "name", "sort_name", "pronouns", "orcid", "email", "photo_url", "website"]
        extra_kwargs = {"sort_name": {"required": False}}


class UnitLevelField(serializers.ChoiceField):
    """A unit's level in the vocabulary positions use (top, L1, L2, L3)."""

    def __init__(self, **kwargs):
        super().__init__(choices=list(LEVEL_CODES.values()), **kwargs)

    def to_representation(self, value):
        return LEVEL_CODES.get(value)

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        return next(number for number, name in LEVEL_CODES.items() if name == code)


class OrgUnitSerializer(ModelRulesMixin, serializers.ModelSerializer):
    id = serializers.SlugField(source="slug", read_only=True)
    level = UnitLevelField(required=False, allow_null=True)
    parent = serializers.SlugRelatedField(
        slug_field="slug", queryset=OrgUnit.objects.all(), allow_null=True, required=False
    )
    start = PartialDateField("start", required=True)
    end = PartialDateField("end", required=False, allow_null=True)

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "name",
            "short_name",
            "parent",
            "kind",
            "level",
            "order",
            "description",
            "start",
            "end",
        ]


class SeatPeriodSerializer(ModelRulesMixin, serializers.ModelSerializer):
    position = serializers.SlugRelatedField(slug_field="slug", queryset=Position.objects.all())
    start = PartialDateField("start", required=True)
    end = PartialDateField("end", required=False, allow_null=True)

    class Meta:
        model = SeatPeriod
        fields = ["id", "position", "seats", "start", "end", "end_kind", "note"]
        extra_kwargs = {"end_kind": {"required": False}}


class NestedSeatPeriodSerializer(serializers.ModelSerializer):
    start = PartialDateField("start", read_only=True)
    end = PartialDateField("end", read_only=True)

    class Meta:
        model = SeatPeriod
        fields = ["seats", "start", "end", "end_kind", "note"]


class PositionSerializer(ModelRulesMixin, serializers.ModelSerializer):
    id = serializers.SlugField(source="slug", read_only=True)
    seat_periods = NestedSeatPeriodSerializer(many=True, read_only=True)
    unit = serializers.SlugRelatedField(slug_field="slug", queryset=OrgUnit.objects.all())
    deputizes_for = serializers.SlugRelatedField(
        slug_field="slug", queryset=Position.objects.all(), allow_null=True, required=False
    )
    start = PartialDateField("start", required=True)
    end = PartialDateField("end", required=False, allow_null=True)

    class Meta:
        model = Position
        fields = [
            "id",
            "title",
            "unit",
            "level",
            "role",
            "seats",
            "seat_periods",
            "function",
            "mandate",
            "requirements",
            "term_months",
            "term_limit",
            "deputizes_for",
            "filled_by",
            "acting_counts_as_term",
            "holdover_allowed",
            "start",
            "end",
        ]


class AppointmentSerializer(ModelRulesMixin, serializers.ModelSerializer):
    is_acting = serializers.BooleanField(read_only=True)
    person = serializers.SlugRelatedField(slug_field="slug", queryset=Person.objects.all())
    position = serializers.SlugRelatedField(slug_field="slug", queryset=Position.objects.all())
    appointed_by = serializers.SlugRelatedField(
        slug_field="slug", queryset=Position.objects.all(), allow_null=True, required=False
    )
    start = PartialDateField("start", required=True)
    end = PartialDateField("end", required=False, allow_null=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "person",
            "position",
            "start",
            "end",
            "end_kind",
            "capacity",
            "is_acting",
            "method",
            "appointed_by",
            "end_reason",
            "term_number",
            "exception_justification",
            "exception_approved_by",
            "source",
        ]
        read_only_fields = ["term_number", "is_acting"]
        extra_kwargs = {
            "end_kind": {"required": False},
            "method": {"required": False},
            "exception_justification": {"help_text": "Read by managers and the officer only."},
            "exception_approved_by": {"help_text": "Read by managers and the officer only."},
        }

    def _save(self, instance, data):
        instance = super()._save(instance, data)
        instance.refresh_from_db(fields=["term_number"])
        return instance


class AppointedSerializer(serializers.Serializer):
    id = serializers.SlugField(source="nominee.slug")
    name = serializers.CharField(source="nominee.name")


class CallSerializer(AudienceMixin, serializers.ModelSerializer):
    position = serializers.SlugRelatedField(slug_field="slug", queryset=Position.objects.all())
    committee = serializers.SlugRelatedField(
        slug_field="slug", queryset=OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE)
    )
    appointed = serializers.SerializerMethodField()
    candidates = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "title",
            "position",
            "seats",
            "state",
            "opens_at",
            "closes_at",
            "eligibility",
            "committee",
            "mandate",
            "requirements",
            "rationale",
            "decided_at",
            "appointed",
            "candidates",
        ]
        read_only_fields = ["state", "mandate", "requirements", "rationale", "decided_at"]
        extra_kwargs = {"title": {"required": False}}

    def get_appointed(self, call) -> list[dict]:
        """Only the appointed are ever named, and only once the call is decided."""
        if call.state != Call.State.DECIDED:
            return []
        return [
            {"id": c.nominee.slug, "name": c.nominee.name}
            for c in call.candidacies.all()
            if c.state == "appointed"
        ]

    def get_candidates(self, call) -> int | None:
        if call.state != Call.State.DECIDED:
            return None
        # a count is published with the outcome; the candidacies behind it are not
        return call.n_decided

    def create(self, validated_data):
        request = self.context["request"]
        try:
            return call_services.create_call(by=request.user, **validated_data)
        except DjangoValidationError as error:
            raise _as_drf(error) from None


class TransitionSerializer(serializers.Serializer):
    to_state = serializers.ChoiceField(choices=Call.State.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
