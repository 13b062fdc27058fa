"""The annual review's tables on a synthetic collaboration and on the small hand-built one:
what each audience sees, and that nothing shown gives away a hidden figure."""

import csv
import datetime as dt
import io

import pytest

from convener.review import report
from convener.synth.generator import Synthesizer
from tests.factories import AppointmentFactory, PositionFactory
from tests.review import world as small

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)


def rows_of(review):
    for section in review["sections"]:
        for row in section["rows"] + section["flows"]:
            yield section, row
        for seat in section["seats"]:
            yield section, seat["resources"]
            yield section, seat["community"]


def test_both_audiences_on_a_synthetic_collaboration():
    Synthesizer(1500, 12, seed=4, today=TODAY, progress=False).run()
    data = report.Data()
    officer = report.build(2025, report.OFFICER, data=data)
    published = report.build(2025, report.PUBLISHED, data=data)
    shown = 0
    for _, row in rows_of(published):
        if row["shown"]:
            shown += 1
            assert row["k"] % 5 == 0 and row["n"] % 5 == 0 and row["n"] >= 10
        else:
            assert row["reason"]
    assert shown > 0
    # the officer's exact counts never show a group or a complement under 5
    for _, row in rows_of(officer):
        if row["shown"]:
            assert row["k"] >= 5 and row["n"] - row["k"] >= 5
    # no pool share, expected share or chart tick comes from a hidden pool
    for section in officer["sections"]:
        for row in section["rows"]:
            if not row["pool"]["shown"]:
                assert row["comparison"] is None and row["pool_hidden"]
    for chart in officer["charts"]:
        for level, share, tick in chart["rows"][1:]:
            section = next(s for s in officer["sections"] if s["level"]["short"] == level)
            row = next(
                r
                for r in section["rows"]
                if (r["question"], r["option"]) == (chart["question"], chart["option"])
            )
            assert tick is None or row["pool"]["shown"]
            assert share is None or row["shown"]
    women = next(r for r in officer["base"] if r["option"] == "woman")
    assert 0.15 < women["share"] < 0.4  # the synthetic calibration: a fifth to a quarter
    # several answers: "alone or in combination" is said for each such question
    notes = {n["question"] for n in officer["question_notes"]}
    assert any("categories describe you" in q for q in notes)
    assert all("alone or in combination" in n["note"] for n in officer["question_notes"])
    # seats that allocate no resources are labelled by what they are
    labels = {s["community_label"] for s in officer["sections"]}
    assert labels <= {
        "community-building seats",
        "advisory seats",
        "advisory and community-building seats",
    }
    # the test count and its correction
    assert officer["tests"]["count"] > 0 and "Benjamini-Hochberg" in officer["summary"][-1]
    # the CSV holds the tables exactly as shown, with the trends and advancement by group
    table = list(csv.DictReader(io.StringIO(_csv(published))))
    for section in published["sections"]:
        for row in section["rows"]:
            line = next(
                r
                for r in table
                if (r["question"], r["option"], r["kind"], r["level"])
                == (row["question"], row["option"], "level", section["level"]["key"])
            )
            assert line["count"] == ("" if row["k"] is None else str(row["k"]))
    officer_table = list(csv.DictReader(io.StringIO(_csv(officer))))
    assert any(r["kind"].startswith("trend") and r["p_shortfall"] for r in officer_table)
    assert any(
        r["kind"].startswith("advancement") and r["option"] == "woman" for r in officer_table
    )


def _csv(review):
    out = io.StringIO()
    csv.writer(out).writerows(report.rows_for_csv(review))
    return out.getvalue()


def test_windows_end_at_the_reference_date():
    world = small.build()
    late = PositionFactory(unit=world["unit"], level="L3", title="L3 late")
    AppointmentFactory(person=world["people"][70], position=late, start=dt.date(2025, 9, 1))
    data = report.Data()
    day = data.day(2025).toordinal()
    level = next(lvl for lvl in data.chain if lvl.key == "L3")
    start = report._years_back(data.day(2025), report.FLOW_YEARS).toordinal()
    newcomers = data.newcomers(level, start, day)
    assert world["people"][70].pk not in newcomers  # appointed after 1 July 2025
    assert world["people"][5].pk in newcomers  # appointed 1 March 2024
    assert world["people"][0].pk not in newcomers  # 1 March 2019: before the window


def test_retention_and_advancement_without_small_groups():
    small.build()
    published = report.build(2025, report.PUBLISHED)
    assert "group" not in published["advancement"]["deputy → lead"]
    officer = report.build(2025, report.OFFICER)
    for row in officer["advancement"].values():
        assert row["horizon"] > 0
        for side in ("group", "others"):
            if row.get(side) is not None:
                moved, total = row[side]
                assert moved >= 5 and total - moved >= 5
    for row in published["retention"]:
        assert set(row["at_risk"]) == {1, 3, 5}


def test_every_level_has_a_short_label_and_a_stated_pool():
    assert all(level.short for level in report.CHAIN)
    texts = [
        level.pool_text(report.CHAIN[i - 1] if i else None) for i, level in enumerate(report.CHAIN)
    ]
    assert "all members" in texts[1] and "within the 5 years" in texts[2]
    assert all(not text.startswith("Chosen") for text in texts)


def test_the_chain_and_the_reference_date_are_configured():
    from convener.review.models import ReviewLevel, ReviewYear

    small.build()
    ReviewYear.objects.create(year=2025, reference_date=dt.date(2025, 1, 15))
    ReviewLevel.objects.filter(key="L2").delete()  # L1 now sits on L3
    review = report.build(2025, report.OFFICER)
    assert review["reference_date"] == "2025-01-15"
    assert [level["key"] for level in review["chain"]] == ["members", "L3", "L1"]
    assert "held a seat in L3" in review["chain"][2]["pool_text"]


def test_one_answer_questions_publish_a_single_option():
    small.build()
    published = report.build(2025, report.PUBLISHED)
    shown = {(r["question"], r["option"]) for r in published["base"]}
    assert ("disability", "yes") in shown and ("disability", "no") not in shown
    assert not any(q == "region" for q, _ in shown)
    assert ("gender", "woman") in shown and ("gender", "man") in shown
    officer = report.build(2025, report.OFFICER)
    assert ("disability", "no") in {(r["question"], r["option"]) for r in officer["base"]}


def test_the_review_says_how_many_new_appointees_came_from_the_eligible_pool():
    """Finding 24. In the small collaboration, L2's new appointees of the three years up to
    1 July 2025 are people 21-23, 25-27 and 29-31 (appointed September 2022-2024); of them
    only 21, 22 and 23 held an L3 seat before (from March 2022, 2023 and 2024). L1's are
    people 33 and 34 (January 2023 and 2024), who never held an L2 seat. The pool is stated
    as what the level is compared with, not as where appointees come from."""
    small.build()
    for audience in (report.OFFICER, report.PUBLISHED):
        review = report.build(2025, audience)
        came = {s["level"]["key"]: s["from_pool"] for s in review["sections"]}
        assert came["L3"] is None  # drawn from the members: no eligible pool
        assert (came["L2"]["inside"], came["L2"]["total"]) == (3, 9)
        assert (came["L1"]["inside"], came["L1"]["total"]) == (0, 2)
        assert all("Chosen from" not in c["pool_text"] for c in review["chain"])
        rows = list(csv.reader(io.StringIO(_csv(review))))
        header = rows[0]
        pool_rows = [dict(zip(header, r, strict=True)) for r in rows if "eligible pool" in r[4]]
        assert [(r["level"], r["count"], r["answered"]) for r in pool_rows] == [
            ("L2", "3", "9"),
            ("L1", "0", "2"),
        ]


def _csv(review):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(report.rows_for_csv(review))
    return buffer.getvalue()


def test_the_published_method_names_the_test_the_published_tables_ran():
    """Finding 26. The published flow tests are binomial against the pool's share on the
    reference date (rounded counts are all the published review has); the text said each
    appointment was tested against the pool on its day (Poisson-binomial)."""
    from convener.review import lifecycle

    small.build()
    meta = {"reference_date": "2025-07-01", "method_version": "x", "data_as_of": "now"}
    for audience, test in ((report.PUBLISHED, "binomial"), (report.OFFICER, "Poisson-binomial")):
        review = report.build(2025, audience)
        methods = {
            row["comparison"]["method"]
            for section in review["sections"]
            for row in section["flows"]
            if row["comparison"]
        }
        assert methods <= {test}
        html = "".join(part["html"] for part in lifecycle.render_parts(review, meta)["parts"])
        said = "Poisson-binomial" in html
        assert said == (audience == report.OFFICER)
