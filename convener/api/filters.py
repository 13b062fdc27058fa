import django_filters as filters

from convener.core.inputs import WithinDateRange
from convener.org.models import Appointment, OrgUnit, Position
from convener.people.models import Person


class OnDateFilterSet(filters.FilterSet):
    on = filters.DateFilter(
        method="filter_on", label="In force on (YYYY-MM-DD)", validators=[WithinDateRange()]
    )

    def filter_on(self, queryset, name, value):
        return queryset.possibly_on(value)


class OrgUnitFilter(OnDateFilterSet):
    class Meta:
        model = OrgUnit
        fields = ["kind", "level"]


class PositionFilter(OnDateFilterSet):
    unit = filters.CharFilter(field_name="unit__slug", label="Unit id")

    class Meta:
        model = Position
        fields = ["level", "role", "function"]


class AppointmentFilter(OnDateFilterSet):
    level = filters.ChoiceFilter(field_name="position__level", choices=Position.Level.choices)
    unit = filters.CharFilter(field_name="position__unit__slug", label="Unit id")
    position = filters.CharFilter(field_name="position__slug", label="Position id")
    person = filters.CharFilter(field_name="person__slug", label="Person id")

    class Meta:
        model = Appointment
        fields = ["capacity"]


class PersonFilter(filters.FilterSet):
    name = filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Person
        fields = ["orcid"]
