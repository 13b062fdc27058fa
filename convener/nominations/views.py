"""Pages of the nomination workflow. Each view checks its rule, then calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from convener.core.permissions import form_errors_from, person_of, public, role_required
from convener.core.ratelimit import mail_rate_limited
from convener.core.roles import Role, has_role
from convener.org.models import Appointment
from convener.people.models import Membership, Person

from . import forms, services
from .models import Call, Candidacy, ConflictDeclaration, Nomination, Score

State = Call.State


def _public_call(request, pk) -> Call:
    qs = Call.objects.select_related("position", "position__unit", "committee")
    call = get_object_or_404(qs, pk=pk)
    if call.state not in Call.PUBLIC_STATES and not has_role(request.user, Role.MANAGER):
        raise Http404("No such call.")
    return call


@public
@require_safe
def call_list(request):
    calls = list(
        Call.objects.public().select_related("position", "committee").order_by("-closes_at")[:200]
    )
    context = {
        "open_calls": [c for c in calls if c.state == State.OPEN],
        "other_calls": [c for c in calls if c.state != State.OPEN],
        "is_manager": has_role(request.user, Role.MANAGER),
    }
    return render(request, "nominations/call_list.html", context)


@public
@require_safe
def call_detail(request, pk):
    call = _public_call(request, pk)
    context = {
        "call": call,
        "is_manager": has_role(request.user, Role.MANAGER),
        "can_nominate": call.accepting_nominations and has_role(request.user, Role.MEMBER),
    }
    if call.state == State.DECIDED:
        context["appointed"] = list(call.candidacies.publishable().select_related("nominee"))
        context["facts"] = services.outcome_facts(call)
    context["committee_members"] = services.committee_members(call.committee)
    context["is_reviewer"] = services.sits_on(person_of(request.user), call.committee_id)
    return render(request, "nominations/call_detail.html", context)


def _members():
    today = timezone.localdate()
    return Person.objects.filter(
        pk__in=Membership.objects.surely_on(today).values("person_id")
    ).order_by("sort_name")


@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
@mail_rate_limited("20/h")  # each nomination mails the nominator and the nominee
def nominate(request, pk):
    call = _public_call(request, pk)
    me = person_of(request.user)
    form = forms.NominationForm(request.POST or None, members=_members())
    if me is None and request.method == "POST":
        raise PermissionDenied("Your account is not linked to a member record.")
    if request.method == "POST" and form.is_valid():
        try:
            services.nominate(
                call, form.cleaned_data["nominee"], me, form.cleaned_data["statement"]
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "Your nomination has been received.")
            return redirect("nominations:mine")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "nominations/nominate.html", {"call": call, "form": form, "me": me}, status=status
    )


@role_required(Role.MEMBER)
@require_safe
def my_nominations(request):
    me = person_of(request.user)
    candidacies = (
        list(Candidacy.objects.filter(nominee=me).select_related("call").order_by("-created_at"))
        if me
        else []
    )
    made = (
        list(
            Nomination.objects.filter(nominator=me)
            .select_related("candidacy__call", "candidacy__nominee")
            .order_by("-created_at")
        )
        if me
        else []
    )
    return render(
        request,
        "nominations/mine.html",
        {
            "candidacies": candidacies,
            "made": made,
            "me": me,
            "consent_form": forms.ConsentForm(),
            "decline_form": forms.DeclineForm(),
        },
    )


def _candidacy_action(request, pk, action):
    me = person_of(request.user)
    candidacy = get_object_or_404(Candidacy.objects.select_related("call"), pk=pk, nominee=me)
    try:
        action(candidacy, me)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("nominations:mine")


@role_required(Role.MEMBER)
@require_POST
def consent(request, pk):
    form = forms.ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your CV link is not a web address.")
        return redirect("nominations:mine")

    def act(c, me):
        services.consent(c, me, **form.cleaned_data)
        messages.success(request, f"You have consented to stand for {c.call.title}.")

    return _candidacy_action(request, pk, act)


@role_required(Role.MEMBER)
@require_POST
def decline(request, pk):
    form = forms.DeclineForm(request.POST)
    form.is_valid()

    def act(c, me):
        services.decline(c, me, do_not_renominate=form.cleaned_data.get("do_not_renominate"))
        messages.success(request, f"You have declined the nomination for {c.call.title}.")

    return _candidacy_action(request, pk, act)


@role_required(Role.MEMBER)
@require_POST
def withdraw(request, pk):
    def act(c, me):
        services.withdraw(c, me)
        messages.success(request, f"You have withdrawn from {c.call.title}.")

    return _candidacy_action(request, pk, act)


# -- committee ------------------------------------------------------------------------------
def _review_call(request, pk) -> tuple[Call, Person]:
    call = get_object_or_404(Call.objects.select_related("position", "committee"), pk=pk)
    me = person_of(request.user)
    if not services.sits_on(me, call.committee_id):
        raise PermissionDenied("Only members of this call's committee review it.")
    if call.state not in {State.CLOSED, State.REVIEW, State.DECIDED}:
        raise PermissionDenied("The committee reviews a call once it has closed.")
    return call, me


@role_required(Role.COMMITTEE_MEMBER)
@require_safe
def review(request, pk):
    call, me = _review_call(request, pk)
    requirements = call.requirement_list()
    candidacies = list(
        call.candidacies.before_committee()
        .select_related("nominee")
        .prefetch_related(
            Prefetch(
                "conflicts",
                queryset=ConflictDeclaration.objects.filter(reviewer=me),
                to_attr="my_declarations",
            ),
            Prefetch("scores", queryset=Score.objects.filter(reviewer=me), to_attr="my_scores"),
            Prefetch("nominations", queryset=Nomination.objects.select_related("nominator")),
        )
    )
    rows = []
    for c in candidacies:
        declaration = c.my_declarations[0] if c.my_declarations else None
        scores = {s.requirement: s for s in c.my_scores}
        rows.append(
            {
                "candidacy": c,
                "declaration": declaration,
                "can_see": declaration is not None and not declaration.conflicted,
                "requirements": [(i, text, scores.get(i)) for i, text in enumerate(requirements)],
            }
        )
    visible = [r["candidacy"] for r in rows if r["can_see"]]
    return render(
        request,
        "nominations/review.html",
        {
            "call": call,
            "rows": rows,
            "conflict_form": forms.ConflictForm(),
            "recommend_form": forms.RecommendationForm(
                candidates=visible,
                initial={
                    "shortlist": [str(c.pk) for c in visible if c.shortlisted],
                    "recommended": [str(c.pk) for c in visible if c.recommended],
                    "recommendation": call.recommendation,
                },
            ),
        },
    )


def _reviewed_candidacy(request, pk, cpk):
    call, me = _review_call(request, pk)
    candidacy = get_object_or_404(
        call.candidacies.before_committee().select_related("call"), pk=cpk
    )
    return call, me, candidacy


@role_required(Role.COMMITTEE_MEMBER)
@require_POST
def declare(request, pk, cpk):
    call, me, candidacy = _reviewed_candidacy(request, pk, cpk)
    form = forms.ConflictForm(request.POST)
    if form.is_valid():
        try:
            services.declare_conflict(candidacy, me, **form.cleaned_data)
            messages.success(request, f"Declaration recorded for {candidacy.nominee}.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Choose whether you have a conflict of interest.")
    return redirect("nominations:review", pk=call.pk)


@role_required(Role.COMMITTEE_MEMBER)
@require_POST
def score(request, pk, cpk):
    call, me, candidacy = _reviewed_candidacy(request, pk, cpk)
    form = forms.ScoreForm(request.POST)
    if form.is_valid():
        try:
            services.score(
                candidacy,
                me,
                requirement=form.cleaned_data["requirement"],
                value=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, f"Score saved for {candidacy.nominee}.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "A score is a whole number from 1 to 5.")
    return redirect("nominations:review", pk=call.pk)


@role_required(Role.COMMITTEE_MEMBER)
@require_POST
def recommend(request, pk):
    call, me = _review_call(request, pk)
    candidates = list(
        call.candidacies.filter(state=Candidacy.State.CONSENTED).select_related("nominee")
    )
    form = forms.RecommendationForm(request.POST, candidates=candidates)
    if form.is_valid():
        by_pk = {str(c.pk): c for c in candidates}
        try:
            services.recommend(
                call,
                me,
                shortlist=[by_pk[k] for k in form.cleaned_data["shortlist"]],
                recommended=[by_pk[k] for k in form.cleaned_data["recommended"]],
                text=form.cleaned_data["recommendation"],
            )
            messages.success(request, "The committee's recommendation is recorded.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Write the recommendation text.")
    return redirect("nominations:review", pk=call.pk)


# -- management -----------------------------------------------------------------------------
@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def call_new(request):
    form = forms.CallForm(request.POST or None, initial={"position": request.GET.get("position")})
    if request.method == "POST" and form.is_valid():
        try:
            call = services.create_call(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "Draft call created. Open it to publish it.")
            return redirect("nominations:manage", pk=call.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "nominations/call_new.html", {"form": form}, status=status)


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def manage(request, pk):
    call = get_object_or_404(Call.objects.select_related("position", "committee"), pk=pk)
    transition_form = forms.TransitionForm()
    consenting = list(
        call.candidacies.filter(
            state__in=[
                Candidacy.State.CONSENTED,
                Candidacy.State.APPOINTED,
                Candidacy.State.NOT_APPOINTED,
            ]
        )
        .select_related("nominee")
        .annotate(
            mean_score=Avg("scores__score"),
            n_scores=Count("scores"),
            recusals=Count("conflicts", filter=Q(conflicts__conflicted=True)),
        )
    )
    decision_form = forms.DecisionForm(
        candidates=[c for c in consenting if c.state == Candidacy.State.CONSENTED]
    )
    if request.method == "POST":
        if "to_state" in request.POST:
            transition_form = forms.TransitionForm(request.POST)
            if transition_form.is_valid():
                try:
                    services.transition(
                        call,
                        transition_form.cleaned_data["to_state"],
                        by=request.user,
                        reason=transition_form.cleaned_data["reason"],
                        closes_at=transition_form.cleaned_data["closes_at"],
                    )
                except ValidationError as error:
                    form_errors_from(transition_form, error)
                else:
                    messages.success(request, "The call's state has changed.")
                    return redirect("nominations:manage", pk=call.pk)
        else:
            decision_form = forms.DecisionForm(
                request.POST,
                candidates=[c for c in consenting if c.state == Candidacy.State.CONSENTED],
            )
            if decision_form.is_valid():
                by_pk = {str(c.pk): c for c in consenting}
                try:
                    services.decide(
                        call,
                        appointed=[by_pk[k] for k in decision_form.cleaned_data["appointed"]],
                        rationale=decision_form.cleaned_data["rationale"],
                        start=decision_form.cleaned_data["start"],
                        by=request.user,
                    )
                except ValidationError as error:
                    form_errors_from(decision_form, error)
                else:
                    messages.success(
                        request, "Decision recorded; the appointment is on the org chart."
                    )
                    return redirect("nominations:call", pk=call.pk)
    counts = dict(call.candidacies.values_list("state").annotate(n=Count("id")))
    return render(
        request,
        "nominations/manage.html",
        {
            "call": call,
            "events": list(call.events.select_related("by")),
            "next_states": [
                (s, State(s).label) for s in Call.TRANSITIONS[call.state] if s != State.DECIDED
            ],
            "transition_form": transition_form,
            "decision_form": decision_form,
            "consenting": consenting,
            "counts": counts,
            "holders": list(
                Appointment.objects.current()
                .filter(position=call.position)
                .select_related("person")
            ),
        },
        status=400 if request.method == "POST" else 200,
    )
