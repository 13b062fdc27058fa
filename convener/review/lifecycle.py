"""The review as a signed-off record: request, prepare (in the background), comment,
publish, correct, and set next year's goals against what was published.

Every step is one function here, called by the views, the CLI and the worker alike. A
prepared review is computed once and stored; pages only read what was stored. Publication
freezes the published tables, charts, commentary, method version and data date in
``Review.snapshot``; nothing ever writes to a published snapshot again."""

from __future__ import annotations

import traceback

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from convener.core import inputs, queue, spreadsheet
from convener.core.charts import bar_chart

from . import crypto, report, stats
from .models import Goal, Review, ReviewEvent, ReviewLevel, ReviewYear

FORMATS = ("pdf", "csv")


def reference_date(year: int):
    configured = ReviewYear.objects.filter(year=year).values_list("reference_date", flat=True)
    return configured.first() or timezone.datetime(year, 7, 1).date()


@transaction.atomic
def request_preparation(year: int, user, *, reason: str = "", strict: bool = False) -> Review:
    """Queue the preparation of ``year``'s review (the worker computes it). If a version of
    the year is already published this is a correction and needs a reason. An open draft of
    the year is discarded: there is one draft at a time."""
    this_year = timezone.localdate().year
    first = min(report.first_year() or this_year, this_year)  # earlier years have no pool
    if not first <= year <= this_year:
        raise ValidationError({"year": f"Choose a year between {first} and {this_year}."})
    rows = list(Review.objects.select_for_update().filter(year=year).order_by("-version"))
    published = next((r for r in rows if r.state == Review.State.PUBLISHED), None)
    reason = (reason or "").strip()
    if published is not None and not reason:
        raise ValidationError(
            {"reason": f"The {year} review is published: say why this version corrects it."}
        )
    if any(r.state == Review.State.RUNNING for r in rows):
        raise ValidationError({"year": f"The {year} review is being prepared right now."})
    for r in rows:
        if r.state in (Review.State.QUEUED, Review.State.DRAFT, Review.State.FAILED):
            r.state = Review.State.DISCARDED
            r.save(update_fields=["state"])
            ReviewEvent.objects.create(review=r, kind=ReviewEvent.Kind.DISCARDED, by=user)
    review = Review(
        year=year,
        version=(rows[0].version + 1) if rows else 1,
        reference_date=reference_date(year),
        strict=strict,
        corrects=published,
        reason=reason if published else "",
        requested_by=user,
    )
    review.full_clean()
    review.save()
    ReviewEvent.objects.create(review=review, kind=ReviewEvent.Kind.REQUESTED, by=user)
    return review


def _progress(review: Review, percent: int, note: str) -> None:
    # written outside any transaction, so that the page and the CLI see it at once
    Review.objects.filter(pk=review.pk).update(progress=percent, progress_note=note[:200])


def start(review: Review | None = None) -> Review | None:
    """Take a queued review to prepare it: ``review`` itself, or the oldest one waiting, under
    the queue's lock, so that the worker and ``convener review prepare`` never prepare the same
    one twice; it is then running, since now. None when there is nothing (or not that review)
    left to take."""
    waiting = _waiting()
    if review is not None:
        waiting = waiting.filter(pk=review.pk)
    return queue.take_next(waiting, take=_take)


def run_queued(limit: int = 1) -> int:
    """Prepare the oldest queued reviews (the worker's job); returns how many."""
    return queue.run_queued(_waiting(), take=_take, work=prepare, limit=limit)


def _waiting():
    return Review.objects.filter(state=Review.State.QUEUED).order_by("requested_at", "pk")


def _take(review: Review) -> None:
    review.state = Review.State.RUNNING
    review.started_at = timezone.now()
    review.save(update_fields=["state", "started_at"])


@sensitive_variables()
def prepare(review: Review, progress=None) -> Review:
    """Compute a queued review once: the officer's tables and the tables that would be
    published, checked against the stored cells of every published snapshot. Stores them
    encrypted and leaves a draft (or a failed review with a message, never with data)."""

    def step(percent, note):
        _progress(review, percent, note)
        if progress:
            progress(percent, note)

    try:
        step(2, "Reading the registry and the answers")
        earlier = list(Review.objects.filter(state=Review.State.PUBLISHED).order_by("pk"))
        stored = []
        for r in earlier:
            stored += crypto.unseal(r.confidential)["cells"]
        # every earlier preparation of the year the officer could read: successive drafts
        # must not single out whoever came or went in between
        seen = []
        for r in (
            Review.objects.filter(year=review.year, pk__lt=review.pk)
            .exclude(confidential="")
            .order_by("pk")
        ):
            seen += crypto.unseal(r.confidential).get("officer_cells", [])
        data_as_of = timezone.now()
        data = report.Data()
        data.reference_days[review.year] = review.reference_date
        step(5, "The officer's and the published tables")
        both = {"year": review.year, "strict": review.strict}
        officer, published = report.build_together(
            [
                {**both, "audience": report.OFFICER, "stored": _distinct(seen)},
                {**both, "audience": report.PUBLISHED, "stored": stored},
            ],
            data=data,
            progress=lambda pct, note: step(5 + pct * 90 // 100, note),
            labels=["Officer: ", "Published: "],
        )
        officer_cells = officer.pop("cells")
        cells = published.pop("cells")
        step(96, "Charts and pages")
        meta = _meta(review, data_as_of)
        sealed = crypto.seal(
            {
                "officer_data": officer,
                "published_data": published,
                "cells": cells,
                "officer_cells": officer_cells,
            }
        )
        pages = {}
        for audience, tables in (("officer", officer), ("published", published)):
            rendered = render_parts(tables, meta)
            files = {"csv": rendered.pop("csv"), "charts": rendered.pop("charts")}
            # sealed apart, so that a page view decrypts only the page it shows
            pages[audience] = {"page": crypto.seal(rendered), "files": crypto.seal(files)}
    except Exception as error:  # noqa: BLE001 - a failed preparation must say why, safely
        # the message names the error and where, never a value: no answers can leak here
        where = traceback.extract_tb(error.__traceback__)[-1]
        Review.objects.filter(pk=review.pk).update(
            state=Review.State.FAILED,
            error=f"{type(error).__name__} in {where.name} ({where.filename}:{where.lineno})",
        )
        ReviewEvent.objects.create(review=review, kind=ReviewEvent.Kind.FAILED)
        review.refresh_from_db()
        return review
    with transaction.atomic():
        Review.objects.filter(pk=review.pk).update(
            state=Review.State.DRAFT,
            confidential=sealed,
            pages=pages,
            data_as_of=data_as_of,
            method_version=stats.METHOD_VERSION,
            checked_against=[r.pk for r in earlier],
            progress=100,
            progress_note="Ready",
        )
        ReviewEvent.objects.create(review=review, kind=ReviewEvent.Kind.PREPARED)
    review.refresh_from_db()
    return review


@sensitive_variables()
def _distinct(cells: list[dict]) -> list[dict]:
    """Stored cells without repeats (successive drafts mostly keep the same cells)."""
    seen, out = set(), []
    for cell in cells:
        key = (
            cell["question"],
            tuple(cell["roster"]),
            tuple(sorted((o, tuple(r)) for o, r in cell.get("known", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            out.append(cell)
    return out


def _meta(review: Review, data_as_of) -> dict:
    return {
        "year": review.year,
        "version": review.version,
        "reference_date": review.reference_date.isoformat(),
        "data_as_of": data_as_of.isoformat(timespec="minutes"),
        "method_version": stats.METHOD_VERSION,
        "reason": review.reason,
        "corrects": review.corrects.version if review.corrects_id else None,
    }


def _chart_title(chart: dict) -> str:
    """An option with its question ("Yes" alone could be any yes/no question)."""
    question = chart.get("question_text")  # reviews prepared before it was kept: the option
    return f"{chart['label']} ({question})" if question else chart["label"]


def _chart_groups(review: dict) -> list[dict]:
    """The charts by question, each with its options' ids and labels: the downloads list."""
    groups: dict[str, dict] = {}
    for chart in review["charts"]:
        question = chart.get("question_text") or chart["question"]
        group = groups.setdefault(question, {"question": question, "charts": []})
        group["charts"].append({"id": chart["id"], "label": chart["label"]})
    return list(groups.values())


def charts(review: dict) -> dict[str, str]:
    """Every chart of a review as SVG, keyed by its id."""
    out = {}
    for chart in review["charts"]:
        out[chart["id"]] = str(
            bar_chart(
                chart["id"],
                f"{_chart_title(chart)}: share at each level",
                "Bars are each level's share; the dark tick is the share of the pool the level "
                "is chosen from. The tables give the same numbers.",
                [tuple(row) for row in chart["rows"]],
            )
        )
    return out


def render_parts(review: dict, meta: dict, commentary: dict | None = None) -> dict:
    """The review as HTML sections (each with an anchor for the table of contents), with
    its charts as SVG and its CSV: what a page, a download or a snapshot serves as is."""
    import io

    svgs = charts(review)
    context = {"review": review, "meta": meta, "charts": svgs}
    parts = [
        {
            "anchor": "levels",
            "title": "Levels and response rates",
            "html": render_to_string("review/part_levels.html", context),
        },
        {
            "anchor": "members",
            "title": "Members: the base of the chain",
            "html": render_to_string("review/part_base.html", context),
        },
    ]
    for section in review["sections"]:
        key = section["level"]["key"]
        parts.append(
            {
                "anchor": f"level-{key}",
                "title": section["level"]["name"],
                "level": key,
                "html": render_to_string("review/part_level.html", {**context, "section": section}),
            }
        )
    for anchor, title, template in (
        ("engagement", "Community engagement", "review/part_engagement.html"),
        ("workforce", "Retention, advancement and institutions", "review/part_workforce.html"),
        ("charts", "Charts", "review/part_charts.html"),
        ("method", "Method", "review/part_method.html"),
    ):
        parts.append(
            {"anchor": anchor, "title": title, "html": render_to_string(template, context)}
        )
    buffer = io.StringIO()
    spreadsheet.writer(buffer).writerows(report.rows_for_csv(review))  # formulas neutralised
    return {
        "parts": parts,
        "summary": review["summary"],
        "tests": review["tests"],
        "charts": svgs,
        "chart_ids": list(svgs),
        "chart_groups": _chart_groups(review),
        "csv": buffer.getvalue(),
        "meta": meta,
        "commentary": commentary or {},
    }


@sensitive_variables()
def confidential(review: Review) -> dict:
    """The officer's stored tables, the draft's published tables and the cells a snapshot
    keeps for later checks (decrypted)."""
    return crypto.unseal(review.confidential)


def pages(review: Review, audience: str, *, files: bool = False) -> dict:
    """The officer's page, or the draft's published page, as rendered (decrypted); with
    ``files`` also its CSV and charts."""
    stored = crypto.unseal(review.pages[audience]["page"])
    if files:
        stored.update(crypto.unseal(review.pages[audience]["files"]))
    return stored


@transaction.atomic
def set_commentary(review: Review, level: str, text: str, user) -> Review:
    """The officer's commentary on one level of a draft."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.state != Review.State.DRAFT:
        raise ValidationError({"commentary": "Only a draft takes commentary."})
    keys = {section["level"]["key"] for section in confidential(review)["officer_data"]["sections"]}
    if level not in keys:
        raise ValidationError({"level": f"“{level}” is not a level of this review."})
    text = (text or "").strip()
    if len(text) > 5000:
        raise ValidationError({"commentary": "Keep the commentary under 5,000 characters."})
    problem = inputs.text_problem(text, multiline=True)  # the rule of every path in
    if problem:
        raise ValidationError({"commentary": f"The commentary {problem}"})
    commentary = dict(review.commentary)
    if text:
        commentary[level] = text
    else:
        commentary.pop(level, None)
    review.commentary = commentary
    review.save(update_fields=["commentary"])
    ReviewEvent.objects.create(review=review, kind=ReviewEvent.Kind.COMMENTED, by=user, note=level)
    return review


@transaction.atomic
def publish(review: Review, user) -> Review:
    """Freeze the draft's published tables, charts, commentary, method version and data date
    as the year's published snapshot. Refused if another version was published since the
    draft was checked (it must be prepared again, to be checked against that one too)."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.state != Review.State.DRAFT:
        raise ValidationError({"state": "Only a prepared draft can be published."})
    published_now = list(
        Review.objects.select_for_update()
        .filter(state=Review.State.PUBLISHED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if published_now != list(review.checked_against):
        raise ValidationError(
            {
                "state": "Another version was published after this draft was prepared: "
                "prepare it again so that it is checked against that one too."
            }
        )
    latest = (
        Review.objects.filter(year=review.year, state=Review.State.PUBLISHED)
        .order_by("-version")
        .first()
    )
    if latest is not None and review.corrects_id != latest.pk:
        raise ValidationError({"state": "This draft does not correct the latest version."})
    snapshot = pages(review, "published", files=True)
    snapshot["commentary"] = dict(review.commentary)
    snapshot["meta"]["published_at"] = timezone.now().isoformat(timespec="minutes")
    review.snapshot = snapshot
    review.state = Review.State.PUBLISHED
    review.published_by = user
    review.published_at = timezone.now()
    review.save(update_fields=["snapshot", "state", "published_by", "published_at"])
    ReviewEvent.objects.create(
        review=review,
        kind=ReviewEvent.Kind.PUBLISHED,
        by=user,
        note=f"corrects version {review.corrects.version}" if review.corrects_id else "",
    )
    return review


def published_share(review: Review, level: str, question: str, option: str, resources: bool):
    """The share a published snapshot shows for a level and attribute (None if withheld)."""
    data = confidential(review)["published_data"]
    for section in data["sections"]:
        if section["level"]["key"] != level:
            continue
        if resources:
            for seat in section["seats"]:
                if (seat["question"], seat["option"]) == (question, option):
                    return seat["resources"]["share"]
        for row in section["rows"]:
            if (row["question"], row["option"]) == (question, option):
                return row["share"]
    return None


@transaction.atomic
def record_goal(
    review: Review,
    *,
    level: str,
    question: str,
    option: str,
    target,
    resources_only: bool,
    user,
) -> Goal:
    """Management's goal for the year after a published review: a target share of an
    attribute at a level, with the published share as its baseline. Setting it again
    replaces it."""
    if review.state != Review.State.PUBLISHED:
        raise ValidationError({"review": "Goals are set against a published review."})
    levels = set(ReviewLevel.objects.values_list("key", flat=True)) or {
        level.key for level in report.CHAIN
    }
    errors = {}
    if level not in levels or level == "members":
        errors["level"] = "Choose a level of the review above the members."
    options = {
        (row["question"], row["option"])
        for section in confidential(review)["published_data"]["sections"]
        for row in section["rows"]
    }
    if (question, option) not in options:
        errors["option"] = "Choose an attribute the published review shows."
    try:
        value = float(target)
    except (TypeError, ValueError):
        value = None
    if value is None or not 0 <= value <= 1:
        errors["target"] = "Give the target as a share between 0 and 1, e.g. 0.25."
    if errors:
        raise ValidationError(errors)
    goal, _ = Goal.objects.update_or_create(
        level=level,
        question=question,
        option=option,
        year=review.year + 1,
        resource_allocating_only=resources_only,
        defaults={
            "target": f"{value:.3f}",
            "set_against": review,
            "baseline": published_share(review, level, question, option, resources_only),
            "recorded_by": user,
            "recorded_at": timezone.now(),
        },
    )
    ReviewEvent.objects.create(
        review=review,
        kind=ReviewEvent.Kind.GOAL,
        by=user,
        note=f"{review.year + 1} {level} {question}={option} {value:.3f}",
    )
    return goal
