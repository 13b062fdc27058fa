from django import forms
from django.utils import timezone

from convener.org.models import OrgUnit, Position
from convener.people.models import Person
from convener.people.picker import PersonChoiceField

from .models import Call


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CallForm(forms.Form):
    position = forms.ModelChoiceField(
        queryset=Position.objects.exclude(filled_by=Position.FilledBy.EX_OFFICIO)
        .filter(end__isnull=True)
        .order_by("title"),
    )
    committee = forms.ModelChoiceField(
        queryset=OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE, end__isnull=True),
        label="Advisory committee",
    )
    seats = forms.IntegerField(min_value=1, max_value=500, initial=1, label="Seats to fill")
    opens_at = forms.DateTimeField(
        widget=DateTimeInput(), label="Opens", help_text="Date and time, in the site's time zone"
    )
    closes_at = forms.DateTimeField(widget=DateTimeInput(), label="Closes")
    eligibility = forms.ChoiceField(choices=Call.Eligibility.choices)

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", "The closing date must be after the opening date.")
        return data


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(choices=Call.State.choices)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    closes_at = forms.DateTimeField(
        required=False, widget=DateTimeInput(), label="New closing date (when reopening)"
    )


class NominationForm(forms.Form):
    nominee = PersonChoiceField(  # type-ahead: no drop-down of every member
        queryset=Person.objects.none(),
        scope="members",
        label="Whom do you nominate?",
        help_text="Type a name: current members of the collaboration, shown with their "
        "institution and role. You may choose yourself.",
    )
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Why this person?",
        help_text="Shown to the advisory committee only, never in public.",
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = members if members is not None else Person.objects.none()
        self.fields["nominee"].label_from_instance = lambda p: p.sort_name


class ConsentForm(forms.Form):
    statement = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), label="Your statement (optional)"
    )
    cv_url = forms.URLField(
        required=False, label="Link to your CV (optional)", assume_scheme="https"
    )


class DeclineForm(forms.Form):
    do_not_renominate = forms.BooleanField(
        required=False, label="Do not nominate me again for this call"
    )


class ConflictForm(forms.Form):
    conflicted = forms.TypedChoiceField(
        choices=[
            ("no", "I have no conflict of interest"),
            ("yes", "I have a conflict of interest and recuse myself"),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label="Conflict of interest",
    )
    explanation = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ScoreForm(forms.Form):
    requirement = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.TypedChoiceField(choices=[(i, str(i)) for i in range(1, 6)], coerce=int)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RecommendationForm(forms.Form):
    shortlist = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    recommended = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    recommendation = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(c.pk), c.nominee.name) for c in candidates]
        self.fields["shortlist"].choices = choices
        self.fields["recommended"].choices = choices


class DecisionForm(forms.Form):
    appointed = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Appoint")
    start = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Appointment starts on",
        initial=timezone.localdate,
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="Published on the call's page."
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointed"].choices = [(str(c.pk), c.nominee.name) for c in candidates]
