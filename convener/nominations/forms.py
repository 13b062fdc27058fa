from django import forms
from django.utils import timezone

from convener.org.models import OrgUnit, Position
from convener.people.models import Person
from convener.people.picker import PersonChoiceField

from .models import Call, Vote


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


REASON_LABELS = {
    Call.State.CLOSED: "Why close before the deadline? (recorded in the call's history)",
    Call.State.CANCELLED: "Why cancel the call? (recorded in the call's history)",
    Call.State.OPEN: "Why reopen the call? (recorded in the call's history)",
}


class TransitionForm(forms.Form):
    """One move of the state machine: each move has its own form and button on the manage
    page, asking only what that move needs."""

    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason (recorded in the call's history)",
    )
    closes_at = forms.DateTimeField(
        required=False,
        widget=DateTimeInput(),
        label="New closing date and time",
        error_messages={"invalid": "Enter the closing date and time, e.g. 2026-05-31 17:00."},
    )

    def __init__(self, *args, to_state: str, needs_reason: bool, **kwargs):
        kwargs.setdefault("auto_id", f"{to_state}-%s")
        super().__init__(*args, **kwargs)
        self.to_state = to_state
        self.needs_reason = needs_reason
        if needs_reason:
            self.fields["reason"].label = REASON_LABELS.get(to_state, "Reason (recorded)")
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = (
                "Give the reason for this change; it is recorded."
            )
        else:
            del self.fields["reason"]
        if to_state != Call.State.OPEN:
            del self.fields["closes_at"]


class NominationForm(forms.Form):
    nominee = PersonChoiceField(  # type-ahead: no drop-down of every member
        queryset=Person.objects.none(),
        scope="members",
        label="Whom do you nominate?",
        help_text="Type a name: current members of the collaboration, shown with their "
        "institution and role. You may choose yourself.",
        error_messages={
            "required": "Choose the person you nominate.",
            "invalid_choice": "Choose a current member of the collaboration from the list.",
        },
    )
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Why this person?",
        help_text="Shown to the advisory committee only, never in public.",
        error_messages={"required": "Say why you nominate this person."},
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
        required=False,
        label="Link to your CV (optional)",
        assume_scheme="https",
        error_messages={
            "invalid": "Enter the CV link as a web address, e.g. https://example.org/cv."
        },
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
        error_messages={"required": "Choose whether you have a conflict of interest."},
    )
    explanation = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Explanation (required for a conflict)",
    )

    def clean(self):
        data = super().clean()
        if data.get("conflicted") and not data.get("explanation", "").strip():
            self.add_error("explanation", "Describe the conflict; it is recorded.")
        return data


SCORE_CHOICES = [("", "Choose a score")] + [
    ("1", "1 (weak)"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", "5 (strong)"),
]


class ScoresForm(forms.Form):
    """All of one reviewer's scores of one candidate, one per published requirement, saved
    together. The inputs start empty: no score is suggested."""

    def __init__(self, *args, requirements: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.requirements = requirements
        for i, text in enumerate(requirements):
            self.fields[f"score_{i}"] = forms.TypedChoiceField(
                choices=SCORE_CHOICES,
                coerce=int,
                label=f"Score for “{text}”",
                error_messages={"required": f"Give “{text}” a score from 1 to 5."},
            )
            self.fields[f"comment_{i}"] = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                label=f"Comment on “{text}” (optional)",
            )

    def pairs(self):
        """(score field, comment field, requirement text) for each requirement."""
        return [
            (self[f"score_{i}"], self[f"comment_{i}"], text)
            for i, text in enumerate(self.requirements)
        ]

    def scores(self) -> list[tuple[int, str]]:
        return [
            (self.cleaned_data[f"score_{i}"], self.cleaned_data[f"comment_{i}"])
            for i in range(len(self.requirements))
        ]


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        choices=Vote.Choice.choices,
        widget=forms.RadioSelect,
        label="Your vote",
        error_messages={"required": "Choose your vote."},
    )


class RecommendationForm(forms.Form):
    shortlist = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Shortlist"
    )
    recommended = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Recommended for appointment"
    )
    recommendation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="The committee's recommendation to management",
        error_messages={"required": "Write the recommendation."},
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(c.pk), c.nominee.name) for c in candidates]
        self.fields["shortlist"].choices = choices
        self.fields["recommended"].choices = choices
        for name in ("shortlist", "recommended"):
            self.fields[name].error_messages["invalid_choice"] = (
                "Choose only among the consenting candidates."
            )


class DecisionForm(forms.Form):
    appointed = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Appoint",
        error_messages={
            "required": "Choose whom to appoint.",
            "invalid_choice": "Choose only among the consenting candidates.",
        },
    )
    start = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Appointment starts on",
        initial=timezone.localdate,
        error_messages={
            "required": "Enter the day the appointment starts.",
            "invalid": "Enter the start as a date, e.g. 2026-09-01.",
        },
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Published on the call's page.",
        label="Rationale",
        error_messages={"required": "Record the rationale of the decision."},
    )
    no_conflict = forms.TypedChoiceField(
        choices=[
            ("yes", "I have no conflict of interest with any candidate"),
            ("no", "I have a conflict of interest with a candidate"),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label="Your declaration (recorded with the decision)",
        help_text="A conflict: a close collaborator, student, supervisor, relative, or anyone "
        "whose appointment would benefit you. With a conflict, another manager decides.",
        error_messages={"required": "Declare whether you have a conflict of interest."},
    )
    disclosure = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Relations you put on record (optional)",
        help_text="Ties you judge are not a conflict, e.g. the same institute.",
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointed"].choices = [(str(c.pk), c.nominee.name) for c in candidates]
