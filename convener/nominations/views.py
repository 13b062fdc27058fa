"""Pages of the nomination workflow. Each view checks its rule, then calls one service.

Forms that fail are shown again with what was typed, the errors at each field and in a
summary that takes the focus; risky moves (decline, withdraw, closing early, cancelling)
ask for confirmation first."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from convener.core.permissions import person_of, public, role_required
from convener.core.ratelimit import mail_rate_limited
from convener.core.roles import Role, has_role
from convener.org.models import Appointment
from convener.people.models import Membership, Person

from . import forms, services
from .models import Call, Candidacy, ConflictDeclaration, Nomination, Score, Vote

State = Call.State
CState = Candidacy.State


def _visible_call(request, pk) -> Call:
    qs = Call.objects.visible_to(request.user).select_related(
        "position", "position__unit", "committee"
    )
    return get_object_or_404(qs, pk=pk)


def _errors_onto(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has
    it, otherwise above the form. Never shows a raw field name."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, found in error.message_dict.items():
        form.add_error(field if field in form.fields else None, found)


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
    call = _visible_call(request, pk)
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
    ).order_by("sort_key")


@never_cache
@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
@mail_rate_limited("20/h")  # each nomination mails the nominator and the nominee
def nominate(request, pk):
    call = _visible_call(request, pk)
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
            _errors_onto(form, error)
        else:
            # the same reply for every accepted nomination, forwarded or not
            messages.success(request, "Your nomination has been received.")
            return redirect("nominations:mine")
    context = {"call": call, "form": form, "me": me}
    if not call.accepting_nominations:
        context["closed_reason"] = services.not_accepting_reason(call)
    status = 400 if request.method == "POST" else 200
    return render(request, "nominations/nominate.html", context, status=status)


def _render_mine(request, *, bound: tuple[int, object] | None = None, status=200):
    me = person_of(request.user)
    candidacies = (
        list(
            Candidacy.objects.visible_to(request.user)
            .filter(nominee=me)
            .select_related("call")
            .order_by("-created_at")
        )
        if me
        else []
    )
    for c in candidacies:
        auto_id = f"c{c.pk}-%s"
        if bound and bound[0] == c.pk:
            c.consent_form = bound[1]
        else:
            c.consent_form = forms.ConsentForm(
                initial={"statement": c.statement, "cv_url": c.cv_url}, auto_id=auto_id
            )
        c.decline_form = forms.DeclineForm(auto_id=auto_id)
    made = (
        list(
            Nomination.objects.visible_to(request.user)
            .filter(nominator=me)
            .select_related("candidacy__call", "candidacy__nominee")
            .order_by("-created_at")
        )
        if me
        else []
    )
    return render(
        request,
        "nominations/mine.html",
        {"candidacies": candidacies, "made": made, "me": me},
        status=status,
    )


@never_cache
@role_required(Role.MEMBER)
@require_safe
def my_nominations(request):
    return _render_mine(request)


def _own_candidacy(request, pk) -> tuple[Candidacy, Person]:
    me = person_of(request.user)
    visible = Candidacy.objects.visible_to(request.user).select_related("call")
    return get_object_or_404(visible, pk=pk, nominee=me), me


@never_cache
@role_required(Role.MEMBER)
@require_POST
def consent(request, pk):
    candidacy, me = _own_candidacy(request, pk)
    form = forms.ConsentForm(request.POST, auto_id=f"c{candidacy.pk}-%s")
    if form.is_valid():
        try:
            services.consent(candidacy, me, **form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, f"You have consented to stand for {candidacy.call.title}.")
            return redirect("nominations:mine")
    return _render_mine(request, bound=(candidacy.pk, form), status=400)


def _confirm(request, *, title, question, consequence, button, action, fields, back):
    """A page that asks before a risky step; its form posts ``fields`` again, confirmed."""
    return render(
        request,
        "nominations/confirm.html",
        {
            "title": title,
            "question": question,
            "consequence": consequence,
            "button": button,
            "action": action,
            "fields": fields,
            "back": back,
        },
    )


def _candidacy_step(request, pk, *, act, done, confirm):
    """Decline or withdraw: confirmed first, then the service; a refusal is told plainly."""
    candidacy, me = _own_candidacy(request, pk)
    if request.POST.get("confirmed") != "yes":
        return _confirm(request, **confirm(candidacy))
    try:
        act(candidacy, me)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done(candidacy))
    return redirect("nominations:mine")


@never_cache
@role_required(Role.MEMBER)
@require_POST
def decline(request, pk):
    form = forms.DeclineForm(request.POST)
    form.is_valid()
    again = bool(form.cleaned_data.get("do_not_renominate"))

    def confirm(c):
        return {
            "title": f"Decline the nomination for {c.call.title}?",
            "question": f"Do you want to decline your nomination for {c.call.title}?",
            "consequence": (
                "Nobody who nominates you for this call again will be forwarded to you."
                if again
                else "If someone nominates you again for this call, you will be asked again."
            ),
            "button": "Yes, decline the nomination",
            "action": request.path,
            "fields": {"do_not_renominate": "on"} if again else {},
            "back": reverse("nominations:mine"),
        }

    return _candidacy_step(
        request,
        pk,
        act=lambda c, me: services.decline(c, me, do_not_renominate=again),
        done=lambda c: f"You have declined the nomination for {c.call.title}.",
        confirm=confirm,
    )


@never_cache
@role_required(Role.MEMBER)
@require_POST
def withdraw(request, pk):
    def confirm(c):
        return {
            "title": f"Withdraw from {c.call.title}?",
            "question": f"Do you want to withdraw your candidacy for {c.call.title}?",
            "consequence": "The committee will no longer consider you, and nobody else can "
            "nominate you for this call again.",
            "button": "Yes, withdraw my candidacy",
            "action": request.path,
            "fields": {},
            "back": reverse("nominations:mine"),
        }

    return _candidacy_step(
        request,
        pk,
        act=services.withdraw,
        done=lambda c: f"You have withdrawn from {c.call.title}.",
        confirm=confirm,
    )


# -- committee ------------------------------------------------------------------------------
def _review_call(request, pk) -> tuple[Call, Person]:
    call = get_object_or_404(
        Call.objects.visible_to(request.user).select_related("position", "committee"), pk=pk
    )
    me = person_of(request.user)
    if not services.sits_on(me, call.committee_id):
        raise PermissionDenied("Only members of this call's committee review it.")
    if call.state not in {State.CLOSED, State.REVIEW, State.DECIDED}:
        raise PermissionDenied("The committee reviews a call once it has closed.")
    return call, me


def _render_review(request, call, me, *, bound=None, status=200):
    """The review page. ``bound`` is ``(kind, candidacy pk, form)`` for a form that failed."""
    if call.has_interest(me):
        return render(
            request, "nominations/review.html", {"call": call, "recused_whole": True}, status=status
        )
    requirements = call.requirement_list()
    user = request.user
    candidacies = list(
        Candidacy.objects.visible_to(user)
        .filter(call=call)
        .before_committee()
        .select_related("nominee")
        .prefetch_related(
            Prefetch(
                "conflicts",
                queryset=ConflictDeclaration.objects.visible_to(user).filter(reviewer=me),
                to_attr="my_declarations",
            ),
            Prefetch(
                "scores",
                queryset=Score.objects.visible_to(user).filter(reviewer=me),
                to_attr="my_scores",
            ),
            Prefetch("votes", queryset=Vote.objects.visible_to(user), to_attr="all_votes"),
            Prefetch(
                "nominations",
                queryset=Nomination.objects.visible_to(user).select_related("nominator"),
            ),
        )
    )
    bound_kind, bound_pk, bound_form = bound or (None, None, None)
    rows = []
    for c in candidacies:
        declaration = c.my_declarations[0] if c.my_declarations else None
        can_see = declaration is not None and not declaration.conflicted
        auto_id = f"c{c.pk}-%s"
        row = {"candidacy": c, "declaration": declaration, "can_see": can_see}
        if declaration is None:
            row["conflict_form"] = (
                bound_form
                if (bound_kind, bound_pk) == ("declare", c.pk)
                else forms.ConflictForm(auto_id=auto_id)
            )
        if can_see and call.state == State.REVIEW and c.state == CState.CONSENTED:
            mine = {s.requirement: s for s in c.my_scores}
            initial = {}
            for i in range(len(requirements)):
                if i in mine:
                    initial[f"score_{i}"] = str(mine[i].score)
                    initial[f"comment_{i}"] = mine[i].comment
            row["scores_form"] = (
                bound_form
                if (bound_kind, bound_pk) == ("score", c.pk)
                else forms.ScoresForm(requirements=requirements, initial=initial, auto_id=auto_id)
            )
            my_vote = next((v for v in c.all_votes if v.reviewer_id == me.pk), None)
            row["vote_form"] = (
                bound_form
                if (bound_kind, bound_pk) == ("vote", c.pk)
                else forms.VoteForm(
                    initial={"choice": my_vote.choice if my_vote else None}, auto_id=auto_id
                )
            )
        if can_see:
            row["tally"] = _tally(c.all_votes)
        rows.append(row)
    placed = any(bound_form is f for r in rows for f in r.values())
    consenting = [r for r in rows if r["candidacy"].state == CState.CONSENTED]
    # the recommendation discusses every candidate: shown only to who may see them all
    sees_all = all(r["can_see"] for r in consenting)
    context = {"call": call, "rows": rows, "sees_all": sees_all}
    if bound_form is not None and bound_kind != "recommend" and not placed:
        # a crafted post for a candidate whose forms this member is not shown
        context["stray_form"] = bound_form
    if sees_all:
        latest = context["recommendation"] = call.latest_recommendation()
        if call.state == State.REVIEW:
            # a new act starts from the one in force
            initial = (
                {
                    "shortlist": [str(c.pk) for c in latest.shortlisted()],
                    "recommended": [str(c.pk) for c in latest.recommended()],
                    "recommendation": latest.text,
                }
                if latest
                else {}
            )
            context["recommend_form"] = (
                bound_form
                if bound_kind == "recommend"
                else forms.RecommendationForm(
                    candidates=[r["candidacy"] for r in consenting], initial=initial
                )
            )
    return render(request, "nominations/review.html", context, status=status)


TALLY_WORDS = {"recommend": "recommend", "shortlist": "shortlist", "no": "do not shortlist"}


def _tally(votes) -> str:
    """The votes on one candidate, counted: "2 recommend, 1 shortlist, 0 do not shortlist"."""
    counts = dict.fromkeys(Vote.Choice.values, 0)
    for v in votes:
        counts[v.choice] += 1
    return ", ".join(f"{n} {TALLY_WORDS[choice]}" for choice, n in counts.items())


@never_cache
@role_required(Role.COMMITTEE_MEMBER)
@require_safe
def review(request, pk):
    call, me = _review_call(request, pk)
    return _render_review(request, call, me)


def _reviewed_candidacy(request, pk, cpk):
    call, me = _review_call(request, pk)
    if call.has_interest(me):
        raise PermissionDenied(services.RECUSED_AS_INTERESTED)
    candidacy = get_object_or_404(
        Candidacy.objects.visible_to(request.user)
        .filter(call=call)
        .before_committee()
        .select_related("call", "nominee"),
        pk=cpk,
    )
    return call, me, candidacy


def _review_step(request, call, me, candidacy, *, kind, form, act, done):
    """Run one reviewer's act from a bound form; on any refusal show the page again with
    the form as typed."""
    if form.is_valid():
        try:
            act(form)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, done)
            return redirect("nominations:review", pk=call.pk)
    pk = candidacy.pk if candidacy is not None else None
    return _render_review(request, call, me, bound=(kind, pk, form), status=400)


@never_cache
@role_required(Role.COMMITTEE_MEMBER)
@require_POST
def declare(request, pk, cpk):
    call, me, candidacy = _reviewed_candidacy(request, pk, cpk)
    return _review_step(
        request,
        call,
        me,
        candidacy,
        kind="declare",
        form=forms.ConflictForm(request.POST, auto_id=f"c{candidacy.pk}-%s"),
        act=lambda f: services.declare_conflict(candidacy, me, **f.cleaned_data),
        done=f"Declaration recorded for {candidacy.nominee}.",
    )


@never_cache
@role_required(Role.COMMITTEE_MEMBER)
@require_POST
def score(request, pk, cpk):
    call, me, candidacy = _reviewed_candidacy(request, pk, cpk)
    return _review_step(
        request,
        call,
        me,
        candidacy,
        kind="score",
        form=forms.ScoresForm(
            request.POST, requirements=call.requirement_list(), auto_id=f"c{candidacy.pk}-%s"
        ),
        act=lambda f: services.score_candidate(candidacy, me, f.scores()),
        done=f"Your scores for {candidacy.nominee} are saved.",
    )


@never_cache
@role_required(Role.COMMITTEE_MEMBER)
@require_POST
def vote(request, pk, cpk):
    call, me, candidacy = _reviewed_candidacy(request, pk, cpk)
    return _review_step(
        request,
        call,
        me,
        candidacy,
        kind="vote",
        form=forms.VoteForm(request.POST, auto_id=f"c{candidacy.pk}-%s"),
        act=lambda f: services.vote(candidacy, me, f.cleaned_data["choice"]),
        done=f"Your vote on {candidacy.nominee} is recorded.",
    )


@never_cache
@role_required(Role.COMMITTEE_MEMBER)
@require_POST
def recommend(request, pk):
    call, me = _review_call(request, pk)
    if not services.may_see_recommendation(call, me):
        raise PermissionDenied("Another member of the committee records the recommendation.")
    candidates = list(
        Candidacy.objects.visible_to(request.user)
        .filter(call=call, state=CState.CONSENTED)
        .select_related("nominee")
    )
    by_pk = {str(c.pk): c for c in candidates}
    return _review_step(
        request,
        call,
        me,
        None,
        kind="recommend",
        form=forms.RecommendationForm(request.POST, candidates=candidates),
        act=lambda f: services.recommend(
            call,
            me,
            shortlist=[by_pk[k] for k in f.cleaned_data["shortlist"]],
            recommended=[by_pk[k] for k in f.cleaned_data["recommended"]],
            text=f.cleaned_data["recommendation"],
        ),
        done="The committee's recommendation is recorded.",
    )


# -- management -----------------------------------------------------------------------------
@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def call_new(request):
    form = forms.CallForm(request.POST or None, initial={"position": request.GET.get("position")})
    if request.method == "POST" and form.is_valid():
        try:
            call = services.create_call(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, "Draft call created. Open it to publish it.")
            return redirect("nominations:manage", pk=call.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "nominations/call_new.html", {"form": form}, status=status)


# What each button of the manage page says, and what a confirmation page asks first.
MOVES = {
    State.OPEN: "Open the call for nominations",
    State.CLOSED: "Close nominations now",
    State.REVIEW: "Start the committee's review",
    State.CANCELLED: "Cancel the call",
}
REOPEN = "Reopen for nominations"


def _move_label(call: Call, to_state: str) -> str:
    if to_state == State.OPEN and call.state == State.CLOSED:
        return REOPEN
    return MOVES[to_state]


def _transition_forms(call: Call, data=None, posted: str | None = None) -> list:
    now = timezone.now()
    result = []
    for to_state in [s for s in MOVES if s in Call.TRANSITIONS[call.state]]:
        needs_reason = (call.state, to_state) in Call.NEEDS_REASON or call.closes_early(
            to_state, now
        )
        form = forms.TransitionForm(
            data if to_state == posted else None, to_state=to_state, needs_reason=needs_reason
        )
        form.label = _move_label(call, to_state)
        result.append(form)
    return result


def _confirm_move(request, call, form) -> object | None:
    """Closing early and cancelling are confirmed first; other moves return None."""
    to_state = form.to_state
    if to_state == State.CLOSED and call.closes_early(to_state):
        deadline = timezone.localtime(call.closes_at)
        consequence = (
            f"The published deadline is {deadline:%-d %B %Y, %H:%M %Z}. Nobody can "
            "nominate or consent after you close the call."
        )
    elif to_state == State.CANCELLED:
        consequence = "A cancelled call can never be reopened; every candidacy ends with it."
    else:
        return None
    if request.POST.get("confirmed") == "yes":
        return None
    fields = {"to_state": to_state, "reason": form.cleaned_data.get("reason", "")}
    return _confirm(
        request,
        title=f"{form.label}: {call.title}",
        question=f"Do you want to {form.label[0].lower()}{form.label[1:]}?",
        consequence=consequence,
        button=f"Yes, {form.label[0].lower()}{form.label[1:]}",
        action=request.path,
        fields=fields,
        back=reverse("nominations:manage", args=[call.pk]),
    )


@never_cache
@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def manage(request, pk):
    call = get_object_or_404(
        Call.objects.visible_to(request.user).select_related("position", "committee"), pk=pk
    )
    me = person_of(request.user)
    if call.has_interest(me):
        if request.method == "POST":
            raise PermissionDenied("Another manager manages a call you are involved in.")
        return render(request, "nominations/manage.html", {"call": call, "recused": True})
    visible = Candidacy.objects.visible_to(request.user).filter(call=call)
    consenting = list(
        visible.filter(state__in=[CState.CONSENTED, CState.APPOINTED, CState.NOT_APPOINTED])
        .select_related("nominee")
        .annotate(
            mean_score=Avg("scores__score"),
            n_scores=Count("scores", distinct=True),
            recusals=Count("conflicts", filter=Q(conflicts__conflicted=True), distinct=True),
        )
        .prefetch_related(Prefetch("votes", to_attr="all_votes"))
    )
    candidates = [c for c in consenting if c.state == CState.CONSENTED]
    posted = request.POST.get("to_state") if request.method == "POST" else None
    transition_forms = _transition_forms(call, request.POST, posted)
    decision_form = forms.DecisionForm(candidates=candidates)
    decider_refusal = services.decider_refusal(call, request.user)
    refused: list[str] = []
    if posted:
        form = next((f for f in transition_forms if f.to_state == posted), None)
        if form is None:  # a move the state machine does not offer from here
            refused = _refusal_of(call, posted)
        elif form.is_valid():
            if confirmation := _confirm_move(request, call, form):
                return confirmation
            try:
                services.transition(
                    call,
                    posted,
                    by=request.user,
                    reason=form.cleaned_data.get("reason", ""),
                    closes_at=form.cleaned_data.get("closes_at"),
                )
            except ValidationError as error:
                _errors_onto(form, error)
            else:
                messages.success(request, f"Done: {form.label.lower()}.")
                return redirect("nominations:manage", pk=call.pk)
    elif request.method == "POST":
        decision_form = forms.DecisionForm(request.POST, candidates=candidates)
        if decision_form.is_valid():
            by_pk = {str(c.pk): c for c in candidates}
            data = decision_form.cleaned_data
            try:
                services.decide(
                    call,
                    appointed=[by_pk[k] for k in data["appointed"]],
                    rationale=data["rationale"],
                    start=data["start"],
                    by=request.user,
                    no_conflict=data["no_conflict"],
                    disclosure=data["disclosure"],
                )
            except ValidationError as error:
                _errors_onto(decision_form, error)
            else:
                messages.success(request, "Decision recorded; the appointment is on the org chart.")
                return redirect("nominations:call", pk=call.pk)
    # a manager who declared a conflict with a candidate as a committee member sees nothing
    # of the committee's work on them, nor the recommendations (which discuss them all)
    conflicted = set(call.conflicted_candidacies(me).values_list("pk", flat=True))
    for c in consenting:
        c.tally = _tally(c.all_votes)
        c.hidden = c.pk in conflicted
    tallies = {c.pk: c.tally for c in consenting}
    acts = [] if conflicted else call.recommendation_acts()
    for act in acts:
        for entry in act.entries.all():
            entry.tally = tallies.get(entry.candidacy_id, "")
    counts = dict(visible.order_by().values_list("state").annotate(n=Count("id")))
    return render(
        request,
        "nominations/manage.html",
        {
            "call": call,
            "events": list(call.events.select_related("by")),
            "transition_forms": transition_forms,
            "refused": refused,
            "decision_form": decision_form,
            "decider_refusal": decider_refusal,
            "consenting": consenting,
            "counts": counts,
            "recommendations": acts,
            "conflicted": bool(conflicted),
            "holders": list(
                Appointment.objects.current()
                .filter(position=call.position)
                .select_related("person")
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


def _refusal_of(call: Call, to_state: str) -> list[str]:
    """A crafted POST asking for a move not offered here (e.g. "decided"): the state
    machine's own refusal."""
    if to_state not in State.values:
        return ["There is no such state."]
    try:
        call.check_move(to_state, reason="")
    except ValidationError as error:
        return error.messages
    return []
