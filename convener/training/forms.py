from django import forms
from django.utils import timezone

from convener.org.models import Appointment
from convener.people.models import Person
from convener.people.picker import PersonChoiceField

from .models import Course


class CompletionForm(forms.Form):
    person = PersonChoiceField(
        queryset=Person.objects.none(), scope="holders", help_text="Current leadership holders"
    )
    course = forms.ModelChoiceField(queryset=Course.objects.all())
    completed_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["person"].queryset = Person.objects.filter(
            pk__in=Appointment.objects.surely_on(today).values("person_id")
        ).order_by("sort_key")
        self.fields["person"].label_from_instance = lambda p: p.sort_name


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: person (ORCID iD, e-mail or "
        "external id), course (title), completed_on (YYYY-MM-DD)",
    )
    dry_run = forms.BooleanField(required=False, label="Check only, write nothing")
