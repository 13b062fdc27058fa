"""The training completions import keeps the limits of every import (insider finding 5): a
file too large or too long is refused whole with a message naming the limit, the rows are
looked up a chunk at a time (no statement binds more values than SQLite allows), and a
report with a problem on every row lists the first 200 and counts the rest."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from convener.training.models import Completion, Course

pytestmark = pytest.mark.django_db

HEADER = "person,course,completed_on\n"


def _rows(n: int) -> str:
    """``n`` rows naming people nobody has registered, as the tester's file did."""
    return HEADER + "".join(
        f"person-{i:07d},Running effective meetings,2025-03-14\n" for i in range(1, n + 1)
    )


@pytest.fixture
def manager(client, login):
    Course.objects.create(title="Running effective meetings", provider="CMS")
    login("manager")
    return client


def _upload(client, text: str, *, dry_run=True, name="completions.csv"):
    data = {"file": SimpleUploadedFile(name, text.encode("utf-8"))}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("training:import"), data)


def test_no_statement_binds_more_values_than_sqlite_allows(manager, monkeypatch):
    # SQLite's limit (Django's for builds before 3.32), on PostgreSQL too: its own 65,535
    # would take 16,000 people to reach
    monkeypatch.setattr(connection.features, "max_query_params", 999)
    bound = []

    def spy(execute, sql, params, many, context):
        bound.append(len(params or ()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        response = _upload(manager, _rows(1_200))
    assert response.status_code == 400
    assert max(bound) <= 999  # SQLite before 3.32; 1,200 people were four times that at once


def test_a_problem_on_every_row_lists_200_and_counts_the_rest(manager):
    response = _upload(manager, _rows(1_200))
    page = response.content.decode()
    assert "1200 problems; nothing was written" in page
    assert "person-0000200" in page  # row 201, the 200th problem
    assert "person-0000201" not in page
    assert "The first 200 problems are listed; 1000 more, by kind:" in page
    assert "person: unknown person: 1000" in page


def test_more_rows_than_the_limit_are_refused_whole(manager, settings):
    settings.IMPORT_MAX_ROWS = 1_000
    response = _upload(manager, _rows(1_200))
    assert response.status_code == 400
    assert (
        "completions.csv: 1,200 rows, more than the limit of 1,000 rows per kind "
        "(CONVENER_IMPORT_MAX_ROWS); split the file"
    ) in response.content.decode()
    assert "unknown person" not in response.content.decode()  # no row was looked up


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(manager, settings):
    settings.IMPORT_MAX_BYTES = 2**20  # 1 MB
    text = HEADER + "0000-0002-1825-0097," + "x" * (2**20 + 2**19) + ",2025-03-14\n"
    response = _upload(manager, text, dry_run=False)
    assert response.status_code == 400
    assert (
        "completions.csv: 1.5 MB, larger than the limit of 1.0 MB per file "
        "(CONVENER_IMPORT_MAX_MB); split the file"
    ) in response.content.decode()
    assert not Completion.objects.exists()


def test_the_command_keeps_the_same_limits(manager, settings, tmp_path):
    settings.IMPORT_MAX_ROWS = 1_000
    path = tmp_path / "completions.csv"
    path.write_text(_rows(1_001))
    with pytest.raises(CommandError, match="1,001 rows, more than the limit of 1,000 rows"):
        call_command("import_completions", str(path), "--dry-run", verbosity=0)
