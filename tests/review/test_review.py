"""The annual review on a small collaboration: what each audience sees, and that the
published output never shows a cell the rules forbid."""

import csv
import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from convener.review import report
from convener.review.disclosure import MIN_GROUP
from convener.synth.generator import Synthesizer

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def collaboration():
    Synthesizer(1500, 12, seed=4, today=TODAY, progress=False).run()


def test_the_published_review_never_shows_a_forbidden_cell(collaboration):
    review = report.build(2025, report.PUBLISHED)
    shown = 0
    for attr in review["attributes"]:
        for row in attr.rows + attr.flows:
            if row.shown_k is None:
                assert row.reason
                continue
            shown += 1
            assert row.shown_k % 5 == 0 and row.shown_n % 5 == 0
            assert row.k >= MIN_GROUP and row.n - row.k >= MIN_GROUP and row.n >= 10
    assert shown > 0


def test_the_officer_sees_exact_counts_but_never_a_group_under_five(collaboration):
    review = report.build(2025, report.OFFICER)
    for attr in review["attributes"]:
        for row in attr.rows:
            if row.shown_k is not None:
                assert (row.shown_k, row.shown_n) == (row.k, row.n)
                assert row.k >= MIN_GROUP and row.n - row.k >= MIN_GROUP
    women = next(a for a in review["attributes"] if a.option == "woman")
    members = women.rows[0]
    assert 0.15 < members.share < 0.4  # the synthetic calibration: about a fifth to a quarter


def test_the_csv_holds_the_tables_exactly_as_shown(collaboration, tmp_path):
    out = tmp_path / "review.csv"
    call_command("review", year=2025, audience="published", format="csv", out=out, verbosity=0)
    with out.open() as f:
        rows = list(csv.DictReader(f))
    review = report.build(2025, report.PUBLISHED)
    women = next(a for a in review["attributes"] if a.option == "woman")
    for row in women.rows:
        line = next(
            r
            for r in rows
            if r["option"] == "woman" and r["kind"] == "level" and r["level"] == row.level.key
        )
        assert line["count"] == ("" if row.shown_k is None else str(row.shown_k))


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_the_review_is_written_as_a_document(collaboration, tmp_path, fmt):
    out = tmp_path / f"review.{fmt}"
    call_command("review", year=2025, audience="officer", format=fmt, out=out, verbosity=0)
    data = out.read_bytes()
    assert data.startswith(b"%PDF") if fmt == "pdf" else b"Proportionality review" in data


@pytest.mark.parametrize(
    "role,officer,published",
    [
        (None, 302, 302),
        ("member", 403, 200),
        ("committee_member", 403, 403),
        ("manager", 403, 200),
        ("diversity_officer", 200, 200),
        ("staff", 200, 200),
    ],
)
def test_who_sees_which_review(client, login, role, officer, published):
    login(role)
    assert client.get(reverse("review:officer")).status_code == officer
    assert client.get(reverse("review:published")).status_code == published


def test_a_bad_year_is_a_400(client, login):
    login("diversity_officer")
    assert client.get(reverse("review:officer"), {"year": "19x5"}).status_code == 400


def test_retention_and_advancement_are_reported_without_small_groups(collaboration):
    published = report.build(2025, report.PUBLISHED)
    assert published["retention"] and all(
        0 <= (v or 0) <= 1 for r in published["retention"] for v in r["at"].values()
    )
    assert "group" not in published["advancement"]["deputy → lead"]
    officer = report.build(2025, report.OFFICER)
    for row in officer["advancement"].values():
        for side in ("group", "others"):
            if row[side] is not None:
                moved, total = row[side]
                assert moved >= 5 and total - moved >= 5
    assert all(v % 5 == 0 for r in published["institutions"] for v in r["stages"].values())


def test_retention_hides_estimates_with_few_at_risk(collaboration):
    from convener.review.workforce import retention

    rows = retention(dt.date(2025, 7, 1), min_at_risk=10**6)
    assert all(v is None for r in rows for v in r["at"].values())


def test_every_level_has_a_short_label_for_the_charts():
    assert all(level.short for level in report.CHAIN)


def test_the_chain_and_the_reference_date_are_configured(collaboration):
    from convener.review.models import ReviewLevel, ReviewYear

    ReviewYear.objects.create(year=2025, reference_date=dt.date(2025, 1, 15))
    ReviewLevel.objects.filter(key="L2").delete()  # L1 and the board now sit on L3
    review = report.build(2025, report.OFFICER)
    assert review["reference_date"] == dt.date(2025, 1, 15)
    assert [level.key for level in review["chain"]] == ["members", "L3", "L1"]
    women = next(a for a in review["attributes"] if a.option == "woman")
    assert women.rows[2].pool.key == "L3"


def test_one_answer_questions_publish_a_single_option(collaboration):
    published = report.build(2025, report.PUBLISHED)
    shown = {(a.question, a.option) for a in published["attributes"]}
    assert ("disability", "yes") in shown and ("disability", "no") not in shown
    assert not any(q == "region" for q, _ in shown)
    assert ("gender", "woman") in shown and ("gender", "man") in shown  # several answers
    officer = report.build(2025, report.OFFICER)
    assert ("disability", "no") in {(a.question, a.option) for a in officer["attributes"]}
