"""The self-identification page: each member sees and changes only their own answers."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from convener.core.dates import parse_year
from convener.core.permissions import person_of, role_required
from convener.core.ratelimit import mail_rate_limited
from convener.core.roles import Role

from . import services


@sensitive_post_parameters()
@sensitive_variables("current", "answers", "described")
@never_cache
@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def self_identification(request):
    me = person_of(request.user)
    consent = services.current_consent()
    errors = {}
    bound = services.binding(me, request.user) if me else services.Binding.NONE
    if request.method == "POST" and me is not None:
        answers = {q.key: request.POST.getlist(q.key) for q in services.questions()}
        described = {
            k[len("describe_") :]: v for k, v in request.POST.items() if k.startswith("describe_")
        }
        if request.POST.get("consent") != str(consent.version):
            errors["consent"] = "Tick the box to accept the consent text before saving."
        else:
            try:
                services.save(
                    me, answers, described, consent_version=consent.version, account=request.user
                )
            except ValidationError as error:
                errors = (
                    error.message_dict
                    if hasattr(error, "error_dict")
                    else {"__all__": " ".join(error.messages)}
                )
            else:
                messages.success(request, "Your answers are saved, encrypted.")
                return redirect("review:self_id")
    current = services.read(me, request.user) if me else None
    picked = (current or {}).get("answers", {})
    if request.method == "POST" and errors:
        picked = {q.key: request.POST.getlist(q.key) for q in services.questions()}
    rows = []
    for q in services.questions():
        rows.append(
            {
                "question": q,
                "picked": set(picked.get(q.key, [])),
                "described": (current or {}).get("described", {}).get(q.key, ""),
                "error": errors.get(q.key),
            }
        )
    return render(
        request,
        "review/self_id.html",
        {
            "me": me,
            "consent": consent,
            "rows": rows,
            "has_answers": current is not None,
            "elsewhere": bound == services.Binding.OTHER,
            "consent_error": errors.get("consent"),
            "general_error": errors.get("__all__"),
        },
        status=400 if errors else 200,
    )


@role_required(Role.MEMBER)
@require_POST
def erase(request):
    me = person_of(request.user)
    if me is not None and services.erase(me, request.user):
        messages.success(request, "Your consent is withdrawn and your answers are erased.")
    return redirect("review:self_id")


@role_required(Role.MEMBER)
@require_POST
@mail_rate_limited("3/h")
def ask_confirmation(request):
    """Send the link that lets this account take over answers given from another one."""
    me = person_of(request.user)

    def link_for(token):
        return request.build_absolute_uri(reverse("review:confirm", args=[token]))

    try:
        sent = me is not None and services.request_confirmation(me, request.user, link_for)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("review:self_id")
    if sent:
        messages.success(
            request,
            "A confirmation link is on its way to the address you had when you answered. "
            "Open it while signed in with this account.",
        )
    else:
        messages.error(
            request,
            "No confirmation link can be sent: no address was kept with these answers. "
            "They stay counted as they are, and nobody can read them.",
        )
    return redirect("review:self_id")


@never_cache
@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The link from the confirmation mail: a button (so that a mail scanner following the link
    changes nothing), which binds the answers to the signed-in account."""
    if request.method == "POST":
        try:
            services.confirm(token, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Your answers are confirmed: this account can see them now.")
        return redirect("review:self_id")
    return render(request, "review/confirm.html", {"token": token})


def _review_context(request, audience):
    from django.utils import timezone

    from convener.core.charts import bar_chart

    from .report import build, first_year

    this_year = timezone.localdate().year
    raw = request.GET.get("year", "")
    year = this_year
    if raw:
        try:  # from the year the data begins: earlier years have nothing to compare
            year = parse_year(raw, min(first_year() or this_year, this_year), this_year)
        except ValueError as error:
            return None, str(error)
    review = build(year, audience, strict=request.GET.get("strict") == "1")
    for attr in review["attributes"]:
        attr.chart = bar_chart(
            f"chart-{attr.question}-{attr.option}",
            f"{attr.label}: share at each level",
            "Bars are each level's share; the dark tick is the share in the level below. "
            "The table that follows gives the same numbers.",
            [
                (row.level.short, row.share, row.comparison.pool_share if row.comparison else None)
                for row in attr.rows
            ],
        )
    return {"review": review, "years": range(this_year, this_year - 15, -1)}, None


@sensitive_variables("context")
@role_required(Role.DIVERSITY_OFFICER)
@require_http_methods(["GET"])
def officer_review(request):
    context, error = _review_context(request, "officer")
    if error:
        from convener.site.views import BadQuery, _bad_request

        return _bad_request(request, BadQuery("year", error))
    return render(request, "review/review.html", context)


@role_required(Role.MEMBER, Role.MANAGER, Role.DIVERSITY_OFFICER)
@require_http_methods(["GET"])
def published_review(request):
    context, error = _review_context(request, "published")
    if error:
        from convener.site.views import BadQuery, _bad_request

        return _bad_request(request, BadQuery("year", error))
    return render(request, "review/review.html", context)
