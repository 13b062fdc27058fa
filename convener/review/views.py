"""The self-identification page: each member sees and changes only their own answers."""

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from convener.core.dates import EARLIEST, LATEST, parse_year
from convener.core.http import bad_query
from convener.core.permissions import person_of, role_required
from convener.core.ratelimit import mail_rate_limited
from convener.core.roles import Role, has_role

from . import lifecycle, services
from .models import Goal, Review


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
                errors = (  # in words, never a Python list
                    {key: " ".join(texts) for key, texts in error.message_dict.items()}
                    if hasattr(error, "error_dict")
                    else {"__all__": " ".join(error.messages)}
                )
            else:
                messages.success(request, "Your answers are saved, encrypted.")
                return redirect("review:self_id")
    current = services.read(me, request.user) if me else None
    picked = (current or {}).get("answers", {})
    described = (current or {}).get("described", {})
    if request.method == "POST" and errors:  # what was ticked and typed stays
        picked = {q.key: request.POST.getlist(q.key) for q in services.questions()}
        described = {
            k[len("describe_") :]: v for k, v in request.POST.items() if k.startswith("describe_")
        }
    rows = []
    for q in services.questions():
        rows.append(
            {
                "question": q,
                "picked": set(picked.get(q.key, [])),
                "described": described.get(q.key, ""),
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
            "consent_ticked": request.method == "POST" and "consent" not in errors,
            "general_error": errors.get("__all__"),
            "has_errors": bool(errors),
        },
        status=400 if errors else 200,
    )


@role_required(Role.MEMBER)
@require_POST
def erase(request):
    me = person_of(request.user)
    if me is not None and services.erase(me, request.user):
        messages.success(request, "Your consent is withdrawn and your answers are erased.")
    elif me is None:
        messages.error(request, "This account is not linked to a member record: nothing to erase.")
    elif services.binding(me, request.user) == services.Binding.NONE:
        messages.error(request, "There are no answers to erase.")
    else:
        messages.error(
            request,
            "These answers were given from another account, so this one cannot erase them: "
            "confirm them first (the link goes to the address kept with them), or ask the "
            "diversity officer.",
        )
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


def _bad(request, field, message):
    return bad_query(request, field, message)


OFFICER_ROLES = (Role.DIVERSITY_OFFICER,)
READER_ROLES = (Role.MEMBER, Role.MANAGER, Role.DIVERSITY_OFFICER)


def _roles(request) -> dict:
    return {
        "perms_officer": has_role(request.user, Role.DIVERSITY_OFFICER),
        "perms_manager": has_role(request.user, Role.MANAGER),
    }


HEAVY = ("confidential", "pages", "pdf", "snapshot")  # read only by what needs them


def _charts_url(review, audience: str) -> str:
    """Where the review's charts are, ending in "/charts/": each chart's address is this,
    its id and its format (one URL reversed per page, not two per chart)."""
    if audience == "officer":
        address = reverse("review:officer_chart", args=[review.pk, "c", "svg"])
    else:
        address = reverse("review:published_chart", args=[review.year, review.version, "c", "svg"])
    return address.removesuffix("c.svg")


def _page(request, review, stored: dict, *, audience: str, status=200, errors=None):
    """A review page from stored parts: nothing is computed here. The body of a published
    snapshot, which never changes, is rendered once and kept in the cache."""
    context = {
        **_roles(request),
        "review": review,
        "stored": stored,
        "audience": audience,
        "commentary": (stored or {}).get("commentary") or review.commentary,
        "editable": audience == "officer" and review.state == Review.State.DRAFT,
        "errors": errors or {},
        "charts_url": _charts_url(review, audience),
    }

    def body_context():
        return {
            **context,
            "corrections": list(
                review.corrections.filter(state=Review.State.PUBLISHED).only(
                    "year", "version", "reason"
                )
            ),
            "versions": list(
                Review.objects.visible_to(request.user)
                .filter(year=review.year, state=Review.State.PUBLISHED)
                .only("year", "version")
                .order_by("version")
            ),
        }

    if audience == "published" and review.state == Review.State.PUBLISHED:
        # a later correction changes the links at the top: part of the key
        key = f"review-body:{review.pk}:{review.corrections.filter(state='published').count()}"
        body = cache.get(key)
        if body is None:
            stored = context["stored"] = stored if stored is not None else review.snapshot
            context["commentary"] = stored.get("commentary") or {}
            body = render_to_string("review/_body.html", body_context())
            cache.set(key, body, None)
        context["body"] = body
    else:
        context.update(body_context())
    return render(request, "review/review.html", context, status=status)


@never_cache
@role_required(*OFFICER_ROLES)
@require_http_methods(["GET"])
def officer_review(request):
    """The officer's reviews: every version of every year, and preparing a new one."""
    if request.GET.get("year"):
        return redirect("review:published")
    reviews = (
        Review.objects.visible_to(request.user)
        .select_related("corrects")
        .order_by("-year", "-version")[:60]
    )
    return render(
        request,
        "review/officer_home.html",
        {"reviews": reviews, "this_year": timezone.localdate().year - 1},
    )


@never_cache
@role_required(*OFFICER_ROLES)
@require_POST
def prepare(request):
    raw = request.POST.get("year", "")
    try:
        review = lifecycle.request_preparation(
            int(raw) if raw.isascii() and raw.isdigit() else -1,  # "²" is a digit to isdigit
            request.user,
            reason=request.POST.get("reason", ""),
            strict=request.POST.get("strict") == "1",
        )
    except ValidationError as error:
        reviews = Review.objects.visible_to(request.user).order_by("-year", "-version")[:60]
        return render(
            request,
            "review/officer_home.html",
            {
                "reviews": reviews,
                "this_year": raw,
                "errors": error.message_dict,
                "reason": request.POST.get("reason", ""),
            },
            status=400,
        )
    messages.success(
        request, f"The {review.year} review is queued; the worker prepares it in the background."
    )
    return redirect("review:edition", pk=review.pk)


@sensitive_variables()
@never_cache
@role_required(*OFFICER_ROLES)
@require_http_methods(["GET"])
def edition(request, pk):
    """One version for the officer: its progress while it is prepared, then the
    confidential tables (or, with ?view=published, what it publishes)."""
    review = get_object_or_404(
        Review.objects.visible_to(request.user)
        .select_related("corrects")
        .defer("confidential", "pdf", "snapshot", *(f"corrects__{f}" for f in HEAVY)),
        pk=pk,
    )
    if review.state in (Review.State.QUEUED, Review.State.RUNNING, Review.State.FAILED):
        return render(request, "review/progress.html", {"review": review})
    if review.state == Review.State.DISCARDED or not review.pages:
        return render(request, "review/progress.html", {"review": review})
    view = request.GET.get("view", "officer")
    if view not in ("officer", "published"):
        return _bad(request, "view", "Choose “officer” or “published”.")
    stored = lifecycle.pages(review, view)
    return _page(request, review, stored, audience=view)


@never_cache
@role_required(*OFFICER_ROLES)
@require_POST
def commentary(request, pk):
    review = get_object_or_404(Review.objects.visible_to(request.user), pk=pk)
    try:
        lifecycle.set_commentary(
            review, request.POST.get("level", ""), request.POST.get("text", ""), request.user
        )
    except ValidationError as error:
        stored = lifecycle.pages(review, "officer") if review.pages else {}
        return _page(
            request, review, stored, audience="officer", status=400, errors=error.message_dict
        )
    messages.success(request, "Commentary saved.")
    return redirect(
        reverse("review:edition", args=[review.pk]) + f"#level-{request.POST.get('level', '')}"
    )


@never_cache
@role_required(*OFFICER_ROLES)
@require_POST
def publish(request, pk):
    review = get_object_or_404(Review.objects.visible_to(request.user), pk=pk)
    try:
        review = lifecycle.publish(review, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in error.message_dict.values() for m in ms))
        return redirect("review:edition", pk=review.pk)
    messages.success(request, f"The {review.year} review, version {review.version}, is published.")
    return redirect("review:published_version", year=review.year, version=review.version)


def _download(stored: dict, fmt: str, name: str, *, pdf_cache=None):
    if fmt == "csv":
        response = HttpResponse(stored["csv"], content_type="text/csv; charset=utf-8")
    else:
        data = pdf_cache() if pdf_cache else None
        if data is None:
            data = render_pdf(stored)
        response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def render_pdf(stored: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("review/report_document.html", {"stored": stored})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _chart(stored: dict, chart: str, fmt: str, name: str):
    svg = stored["charts"].get(chart)
    if svg is None:
        raise Http404("No such chart.")
    if fmt == "svg":
        response = HttpResponse(svg, content_type="image/svg+xml")
    else:
        import cairosvg

        response = HttpResponse(
            cairosvg.svg2png(bytestring=svg.encode(), output_width=1280), content_type="image/png"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}-{chart}.{fmt}"'
    return response


@sensitive_variables()
@never_cache
@role_required(*OFFICER_ROLES)
@require_http_methods(["GET"])
def officer_download(request, pk, fmt):
    review = get_object_or_404(
        Review.objects.visible_to(request.user).defer("confidential", "pdf", "snapshot"), pk=pk
    )
    if not review.pages:
        raise Http404("Not prepared yet.")
    stored = lifecycle.pages(review, "officer", files=True)
    return _download(stored, fmt, f"review-{review.year}-v{review.version}-confidential")


@sensitive_variables()
@never_cache
@role_required(*OFFICER_ROLES)
@require_http_methods(["GET"])
def officer_chart(request, pk, chart, fmt):
    review = get_object_or_404(
        Review.objects.visible_to(request.user).defer("confidential", "pdf", "snapshot"), pk=pk
    )
    if not review.pages:
        raise Http404("Not prepared yet.")
    stored = lifecycle.pages(review, "officer", files=True)
    return _chart(stored, chart, fmt, f"review-{review.year}-v{review.version}-confidential")


def _published(user, year=None, version=None, *, snapshot=True):
    heavy = ["confidential", "pages", "pdf"] + ([] if snapshot else ["snapshot"])
    reviews = (
        Review.objects.visible_to(user)
        .filter(state=Review.State.PUBLISHED)
        .select_related("corrects")
        .defer(*heavy, *(f"corrects__{f}" for f in HEAVY))
    )
    if year is None:
        return reviews.order_by("-year", "-version").first()
    reviews = reviews.filter(year=year)
    if version is None:
        return reviews.order_by("-version").first()
    return reviews.filter(version=version).first()


@role_required(*READER_ROLES)
@require_http_methods(["GET"])
def published_review(request, year=None, version=None):
    """Published reviews, each read from its frozen snapshot."""
    raw = request.GET.get("year")
    if year is None and raw:
        try:
            asked = parse_year(raw, EARLIEST.year, LATEST.year)
        except ValueError as error:
            return _bad(request, "year", str(error))
        return redirect("review:published_year", year=asked)
    review = _published(request.user, year, version, snapshot=False)
    years = (
        Review.objects.visible_to(request.user)
        .filter(state=Review.State.PUBLISHED)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    if review is None:
        if year is not None:
            raise Http404("No published review of that year.")
        return render(request, "review/published_none.html", {"years": years, **_roles(request)})
    # the snapshot itself is read only when its body is not in the cache yet
    return _page(request, review, None, audience="published")


@role_required(*READER_ROLES)
@require_http_methods(["GET"])
def published_download(request, year, version, fmt):
    review = _published(request.user, year, version)
    if review is None:
        raise Http404("No such published review.")

    def cached_pdf():
        # the PDF of a frozen snapshot is made once, from the snapshot itself
        mine = Review.objects.visible_to(request.user).filter(pk=review.pk)
        pdf = mine.values_list("pdf", flat=True).first()
        if pdf is None:
            pdf = render_pdf(review.snapshot)
            mine.filter(pdf__isnull=True).update(pdf=pdf)
        return bytes(pdf)

    return _download(
        review.snapshot, fmt, f"review-{review.year}-v{review.version}", pdf_cache=cached_pdf
    )


@role_required(*READER_ROLES)
@require_http_methods(["GET"])
def published_chart(request, year, version, chart, fmt):
    review = _published(request.user, year, version)
    if review is None:
        raise Http404("No such published review.")
    return _chart(review.snapshot, chart, fmt, f"review-{review.year}-v{review.version}")


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def goals(request, year, version):
    """Management records next year's goals against a published review."""
    review = _published(request.user, year, version)
    if review is None:
        raise Http404("No such published review.")
    review = Review.objects.visible_to(request.user).get(pk=review.pk)
    errors = {}
    data = lifecycle.confidential(review)["published_data"]
    attributes = {}
    for section in data["sections"]:
        for row in section["rows"]:
            attributes[(row["question"], row["option"])] = row["label"]
    if request.method == "POST":
        question, _, option = request.POST.get("attribute", "").partition(":")
        try:
            lifecycle.record_goal(
                review,
                level=request.POST.get("level", ""),
                question=question,
                option=option,
                target=request.POST.get("target", ""),
                resources_only=request.POST.get("resources_only") == "1",
                user=request.user,
            )
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, f"Goal for {review.year + 1} recorded.")
            return redirect("review:goals", year=year, version=version)
    return render(
        request,
        "review/goals.html",
        {
            "review": review,
            "levels": [s["level"] for s in data["sections"]],
            "attributes": sorted(attributes.items(), key=lambda item: item[1]),
            "goals": Goal.objects.filter(year=review.year + 1).select_related("set_against"),
            "errors": errors,
            "post": request.POST,
            **_roles(request),
        },
        status=400 if errors else 200,
    )
