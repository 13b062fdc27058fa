"""The review as a signed-off record: prepared once in the background, read and annotated
by the diversity officer, published as a frozen snapshot, corrected as a new version; and
tried as an attacker: nothing a member, a manager or staff does moves a published review,
and a correction prepared after a backdated appointment reveals nobody."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.views.debug import ExceptionReporter
from django.views.decorators.debug import sensitive_variables
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from convener.core.roles import Role
from convener.org.models import Position
from convener.review import disclosure, lifecycle, report
from convener.review.models import Goal, Review, ReviewEvent
from tests.factories import PositionFactory, UserFactory
from tests.review import world as small
from tests.review.test_disclosure import derivable

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture
def world():
    built = small.build()
    built["officer"] = UserFactory(roles=[Role.MEMBER, Role.DIVERSITY_OFFICER])
    built["manager"] = UserFactory(roles=[Role.MEMBER, Role.MANAGER])
    built["member"] = UserFactory(roles=[Role.MEMBER])
    return built


@pytest.fixture(params=[1, 2], ids=["in-process", "two-processes"])
def processes(request, settings):
    """Prepare in this process, or with the questions checked in two processes."""
    settings.WORKER_PROCESSES = request.param
    return request.param


def prepared(world, year=YEAR, reason=""):
    review = lifecycle.request_preparation(year, world["officer"], reason=reason)
    assert review.state == Review.State.QUEUED
    assert lifecycle.run_queued() == 1
    review.refresh_from_db()
    assert review.state == Review.State.DRAFT, review.error
    return review


def published(world, year=YEAR, reason=""):
    return lifecycle.publish(prepared(world, year, reason), world["officer"])


def body(response) -> str:
    """The review itself, from the summary on: no CSRF tokens, no per-request parts."""
    text = response.content.decode()
    text = re.sub(r"<p><a href=\"[^\"]*/goals/\">.*?</p>", "", text)  # managers' link
    return text[text.index('aria-labelledby="summary-h"') : text.index("</main>")]


def test_a_review_is_prepared_in_the_background_and_read_as_a_confidential_draft(client, world):
    client.force_login(world["officer"])
    response = client.post(reverse("review:prepare"), {"year": str(YEAR)})
    review = Review.objects.get()
    assert response.status_code == 302 and review.state == Review.State.QUEUED
    page = client.get(reverse("review:edition", args=[review.pk]))
    assert b"<progress" in page.content and b"Waiting to be prepared" in page.content
    call_command("worker")  # the background worker's pass
    review.refresh_from_db()
    assert (review.state, review.progress) == (Review.State.DRAFT, 100)
    assert review.method_version and review.data_as_of and review.checked_against == []
    page = client.get(reverse("review:edition", args=[review.pk]))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "confidential" in text and 'id="level-L2"' in text and 'href="#level-L2"' in text
    # not published: members see nothing yet
    client.force_login(world["member"])
    assert b"No review has been published yet" in client.get(reverse("review:published")).content
    kinds = list(ReviewEvent.objects.values_list("kind", flat=True))
    assert kinds == ["requested", "prepared"]


def test_the_cli_prepares_with_progress_and_publishes(world, capsys):
    call_command("review", "prepare", "--year", str(YEAR))
    out = capsys.readouterr()
    assert "Prepared version 1 of 2025" in out.out and "%" in out.err  # the progress bar
    review = Review.objects.get()
    call_command("review", "publish", "--id", str(review.pk))
    call_command("review", "status")
    assert "2025 v1  Published" in capsys.readouterr().out


def test_the_cli_takes_the_review_as_the_worker_does(world):
    """`convener review prepare` goes through the same door as the worker: the review is
    taken under the worker's lock and its start is recorded (the command used to set the
    state by hand, leaving no start time and racing the worker)."""
    call_command("review", "prepare", "--year", str(YEAR))
    review = Review.objects.get()
    assert review.state == Review.State.DRAFT and review.started_at is not None
    # a review the worker has already taken is not taken again
    queued = lifecycle.request_preparation(YEAR, world["officer"], reason="Again.")
    assert lifecycle.start(queued) is not None
    assert lifecycle.start(queued) is None
    assert lifecycle.run_queued() == 0


def test_commentary_per_level_is_frozen_with_the_publication(client, world):
    review = prepared(world)
    client.force_login(world["officer"])
    url = reverse("review:commentary", args=[review.pk])
    response = client.post(url, {"level": "L2", "text": "Flows to L2 look <b>balanced</b>."})
    assert response.status_code == 302
    assert client.post(url, {"level": "nowhere", "text": "x"}).status_code == 400
    client.post(reverse("review:publish", args=[review.pk]))
    review.refresh_from_db()
    assert review.state == Review.State.PUBLISHED
    assert review.snapshot["commentary"] == {"L2": "Flows to L2 look <b>balanced</b>."}
    assert review.snapshot["meta"]["method_version"] == review.method_version
    assert review.snapshot["meta"]["data_as_of"]
    assert client.post(url, {"level": "L2", "text": "changed"}).status_code == 400
    client.force_login(world["member"])
    page = client.get(reverse("review:published")).content.decode()
    assert "Flows to L2 look &lt;b&gt;balanced&lt;/b&gt;." in page  # escaped, as written


def test_commentary_with_control_characters_is_refused_and_nothing_is_kept(client, world):
    """The finding on main: NUL, ESC and a right-to-left override went into the commentary
    and, published, into the frozen snapshot. Refused like on every other path in."""
    review = prepared(world)
    client.force_login(world["officer"])
    url = reverse("review:commentary", args=[review.pk])
    client.post(url, {"level": "L2", "text": "Kept as it was."})
    for text in ("Nul\x00here", "ESC\x1b[31m red", "\u202eRTL"):
        response = client.post(url, {"level": "L2", "text": text})
        assert response.status_code == 400
        assert "control character" in response.content.decode()
        with pytest.raises(ValidationError) as error:
            lifecycle.set_commentary(review, "L2", text, world["officer"])
        assert "commentary" in error.value.message_dict
    review.refresh_from_db()
    assert review.commentary == {"L2": "Kept as it was."}
    client.post(url, {"level": "L1", "text": "Two lines,\nwith a tab\tare fine."})
    review.refresh_from_db()
    assert review.commentary["L1"] == "Two lines,\nwith a tab\tare fine."


def test_a_published_review_never_moves(client, world):
    """Tried as a member, a manager and staff: save the published review, then an answer
    changes and a manager backdates an appointment through the API; reload: identical."""
    review = published(world)
    client.force_login(world["member"])
    url = reverse("review:published_year", args=[YEAR])
    saved = body(client.get(url))
    csv_before = client.get(
        reverse("review:published_download", args=[YEAR, review.version, "csv"])
    ).content
    small.save_answers(world["people"][1], {"answers": {"gender": ["woman"]}, "described": {}})
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world['manager']).key}")
    extra = PositionFactory(unit=world["unit"], level=Position.Level.L1, title="L1 extra")
    response = api.post(
        "/api/appointments/",
        {"person": world["people"][3].slug, "position": extra.slug, "start": "2024-02-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    for user in (world["member"], world["manager"], UserFactory(is_staff=True, is_superuser=True)):
        client.force_login(user)
        assert body(client.get(url)) == saved
    assert (
        client.get(reverse("review:published_download", args=[YEAR, review.version, "csv"])).content
        == csv_before
    )
    # staff cannot edit a snapshot in the admin: reviews are not there at all
    assert client.get("/admin/review/review/").status_code == 404


def test_a_correction_is_a_new_version_with_a_reason_and_both_stay_visible(client, world):
    first = published(world)
    with pytest.raises(ValidationError) as error:
        lifecycle.request_preparation(YEAR, world["officer"])
    assert "reason" in error.value.message_dict
    second = published(world, reason="An L2 appointment was recorded a year too early.")
    assert second.version == 2 and second.corrects == first
    first.refresh_from_db()
    assert first.state == Review.State.PUBLISHED  # still there
    client.force_login(world["member"])
    latest = client.get(reverse("review:published_year", args=[YEAR])).content.decode()
    assert "version 2" in latest and "It corrects version 1" in latest
    assert "recorded a year too early" in latest
    old = client.get(reverse("review:published_version", args=[YEAR, 1])).content.decode()
    assert "Corrected by" in old and "version 2" in old


def test_the_appointment_differencing_attack_learns_nothing(world, processes):
    """Publish; a manager backdates one appointment of a woman to L3 inside the three-year
    window; the officer prepares a correction. With every published cell of both versions
    the exact attacker derives nobody's answer."""
    first = published(world)
    newcomer = world["people"][60]  # a woman who never held a seat
    position = PositionFactory(unit=world["unit"], level=Position.Level.L3, title="L3 extra")
    from tests.factories import AppointmentFactory

    AppointmentFactory(person=newcomer, position=position, start=dt.date(2024, 1, 10))
    second = published(world, reason="A 2024 appointment was missing.")
    cells = []
    for review in (first, second):
        for i, stored in enumerate(lifecycle.confidential(review)["cells"]):
            cells.append(disclosure.Cell.from_store(stored, i))
    for question in {c.question for c in cells}:
        mine = [c for c in cells if c.question == question]
        options = tuple(sorted({o for c in mine for o in c.shown}))
        assert derivable(mine, options, exclusive=len(options) > 1) == set(), question


def _known(cells):
    """What an attacker who knows the rules learns from stored cells: each figure's range
    (a shown count, to within the rounding and at least 5 either side; a small group
    withheld, its side of 5)."""
    return [(c.roster, o, lo, hi) for c in cells for o, (lo, hi) in c.ranges().items()]


def _backdate_a_woman(world) -> int:
    from tests.factories import AppointmentFactory

    newcomer = world["people"][60]  # a woman who never held a seat
    position = PositionFactory(unit=world["unit"], level=Position.Level.L3, title="L3 extra")
    AppointmentFactory(person=newcomer, position=position, start=dt.date(2024, 1, 10))
    return newcomer.pk


def test_the_differencing_attack_learns_nothing_even_knowing_the_rules(world, processes):
    """Finding 1, end to end: the attacker also knows that a shown count has 5 or more on
    either side and which side of 5 a withheld small group is on."""
    first = published(world)
    newcomer = _backdate_a_woman(world)
    second = published(world, reason="A 2024 appointment was missing.")
    cells = []
    for review in (first, second):
        for i, stored in enumerate(lifecycle.confidential(review)["cells"]):
            cells.append(disclosure.Cell.from_store(stored, i))
    for question in {c.question for c in cells}:
        mine = [c for c in cells if c.question == question]
        options = tuple(sorted({o for c in mine for o in c.known}))
        found = derivable(
            [], options, exclusive=len(options) > 1, small=_known(mine), only={newcomer}
        )
        if question == "disability":  # one answer each: answering is picking yes or no
            found.discard((newcomer, ""))
        assert found == set(), question


def test_two_drafts_around_a_late_appointment_give_the_officer_nobody(world, processes):
    """Finding 2, end to end: the officer prepares, an appointment is backdated, the officer
    prepares again. What both drafts show together does not give the newcomer away."""
    first = prepared(world)
    newcomer = _backdate_a_woman(world)
    second = prepared(world)
    cells = [
        disclosure.Cell.from_store(stored, i)
        for review in (first, second)
        for i, stored in enumerate(lifecycle.confidential(review)["officer_cells"])
    ]
    for question in {c.question for c in cells}:
        mine = [c for c in cells if c.question == question]
        options = tuple(sorted({o for c in mine for o in c.known}))
        found = derivable(
            [], options, exclusive=len(options) > 1, small=_known(mine), only={newcomer}
        )
        if question == "disability":  # one answer each: answering is picking yes or no
            found.discard((newcomer, ""))
        assert found == set(), question


def test_pages_are_read_from_snapshots_and_compute_nothing(
    client, world, monkeypatch, django_assert_num_queries
):
    review = published(world)

    def forbidden(*args, **kwargs):
        raise AssertionError("statistics computed on request")

    monkeypatch.setattr(report, "build", forbidden)
    monkeypatch.setattr(report, "Data", forbidden)
    client.force_login(world["member"])
    client.get(reverse("review:published"))
    # session, user, groups, the review, how many corrections it has (its body is cached)
    with django_assert_num_queries(5):
        assert client.get(reverse("review:published_year", args=[YEAR])).status_code == 200
    client.force_login(world["officer"])
    client.get(reverse("review:edition", args=[review.pk]))
    with django_assert_num_queries(6):
        page = client.get(reverse("review:edition", args=[review.pk]))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]


@pytest.mark.parametrize(
    "role,officer_page,published_page,goals_page",
    [
        (None, 302, 302, 302),
        (Role.MEMBER, 403, 200, 403),
        (Role.COMMITTEE_MEMBER, 403, 403, 403),
        (Role.MANAGER, 403, 200, 200),
        (Role.DIVERSITY_OFFICER, 200, 200, 403),
        ("staff", 200, 200, 200),
    ],
)
def test_who_sees_which_review(
    client, world, login, role, officer_page, published_page, goals_page
):
    review = published(world)
    login(role)
    assert client.get(reverse("review:edition", args=[review.pk])).status_code == officer_page
    assert (
        client.get(reverse("review:officer_download", args=[review.pk, "csv"])).status_code
        == officer_page
    )
    assert client.get(reverse("review:published_year", args=[YEAR])).status_code == published_page
    assert (
        client.get(reverse("review:goals", args=[YEAR, review.version])).status_code == goals_page
    )


def test_the_charts_are_listed_by_question_with_each_option_named(client, world):
    """ "Yes" alone could be any yes/no question: the downloads list each chart under its
    question, by its option's label, and the chart's title names both."""
    review = published(world)
    client.force_login(world["member"])
    page = client.get(reverse("review:published_year", args=[YEAR])).content.decode()
    charts = page[page.index("Charts as SVG or PNG") :]
    charts = charts[: charts.index("</details>")]
    gender = charts.index("What is your current gender? Choose all that apply.")
    woman = charts.index("Woman: <a href=", gender)
    disability = charts.index("Do you have a disability?")
    assert gender < woman < disability
    svg_url = f"/review/published/{YEAR}/v{review.version}/charts/chart-gender-woman.svg"
    assert f'<a href="{svg_url}">SVG</a>' in charts
    svg = client.get(svg_url).content.decode()
    assert "Woman (What is your current gender? Choose all that apply.)" in svg


def test_downloads_for_each_audience(client, world):
    review = published(world)
    client.force_login(world["member"])
    args = [YEAR, review.version]
    pdf = client.get(reverse("review:published_download", args=[*args, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    csv = client.get(reverse("review:published_download", args=[*args, "csv"])).content.decode()
    assert csv.startswith('"year","audience","question","option","kind"')  # every cell quoted
    svg = client.get(reverse("review:published_chart", args=[*args, "chart-gender-woman", "svg"]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png = client.get(reverse("review:published_chart", args=[*args, "chart-gender-woman", "png"]))
    assert png.content.startswith(b"\x89PNG")
    client.force_login(world["officer"])
    officer_csv = client.get(reverse("review:officer_download", args=[review.pk, "csv"]))
    assert "no-store" in officer_csv["Cache-Control"]
    text = officer_csv.content.decode()
    # the officer's CSV has the trend p-values and the advancement by group
    assert "trend of new appointments" in text and "advancement" in text
    assert re.search(r'"trend of new appointments \(10 years\)","L2",.*two-sided p', text)


def test_management_sets_next_years_goals_and_next_year_shows_progress(client, world):
    review = published(world)
    client.force_login(world["manager"])
    url = reverse("review:goals", args=[YEAR, review.version])
    bad = client.post(url, {"level": "L3", "attribute": "gender:woman", "target": "1.5"})
    assert bad.status_code == 400 and "between 0 and 1" in bad.content.decode()
    ok = client.post(url, {"level": "L3", "attribute": "gender:woman", "target": "0.4"})
    assert ok.status_code == 302
    goal = Goal.objects.get(year=YEAR + 1)
    assert goal.set_against == review and goal.recorded_by == world["manager"]
    shown = lifecycle.published_share(review, "L3", "gender", "woman", False)
    assert goal.baseline == shown
    nxt = prepared(world, YEAR + 1)
    data = lifecycle.confidential(nxt)["officer_data"]
    l3 = next(s for s in data["sections"] if s["level"]["key"] == "L3")
    row = next(r for r in l3["rows"] if r["option"] == "woman")
    assert row["goal"]["target"] == 0.4 and row["goal"]["baseline"] == shown


def test_a_failed_preparation_says_where_but_never_what(world, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("person 17 answered woman")

    monkeypatch.setattr(report, "question_cells", broken)
    review = lifecycle.request_preparation(YEAR, world["officer"])
    lifecycle.run_queued()
    review.refresh_from_db()
    assert review.state == Review.State.FAILED
    assert "ValueError" in review.error and "woman" not in review.error


def test_error_reports_never_show_answers_or_person_ids(world, monkeypatch, settings):
    """sensitive_variables on every function holding answers or sets of person ids: a crash
    deep in the review shows their variables as stars in Django's error report. Computed
    here, so that the stand-in below is the one called (a worker process sends back only
    its traceback's text, without variables: tests/core/test_parallel.py)."""
    settings.WORKER_PROCESSES = 1
    real = disclosure.suppress_officer

    @sensitive_variables()  # as the real one: the stand-in holds the same answers
    def crash(cells, options, truth, earlier=()):
        real(cells, options, truth, earlier)
        raise RuntimeError("boom")

    monkeypatch.setattr(disclosure, "suppress_officer", crash)
    data = report.Data()
    with pytest.raises(RuntimeError) as raised:
        report.build(YEAR, report.OFFICER, data=data)
    reporter = ExceptionReporter(None, raised.type, raised.value, raised.tb)
    frames = reporter.get_traceback_data()["frames"]
    shown = {f.get("function"): dict(f.get("vars", [])) for f in frames}
    # the frames that hold the answers: the review, the jobs, the decision of one question
    holders = {"build", "run", "decide", "crash"}
    assert holders <= set(shown)
    for function in holders:
        values = set(shown[function].values())
        assert values <= {"'********************'"}, (function, sorted(shown[function]))
    everything = "\n".join(str(v) for f in frames for _, v in f.get("vars", []))
    assert "'woman'" not in everything and "{'woman'}" not in everything
    assert "RuntimeError" in reporter.get_traceback_text()


@pytest.mark.parametrize("fmt", ["html", "csv"])
def test_the_cli_writes_a_stored_review(world, tmp_path, fmt):
    review = published(world)
    out = tmp_path / f"review.{fmt}"
    call_command(
        "review",
        "write",
        "--year",
        str(YEAR),
        "--audience",
        "published",
        "--format",
        fmt,
        "--out",
        str(out),
    )
    text = out.read_bytes().decode()
    if fmt == "csv":
        assert text == review.snapshot["csv"]
    else:
        assert f"Proportionality review {YEAR}, version 1" in text
