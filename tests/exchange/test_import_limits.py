"""Imports that cannot exhaust the server (issue 15, item 8): limits on what a file may be,
workbooks read as the cells they hold, queries within what the database takes, and large
imports run by the worker with their progress on a page and in the command line."""

import re
import sqlite3
import zipfile
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from convener.exchange import reading
from convener.exchange.importer import ImportFileError, import_path
from convener.exchange.jobs import queue_import, run, run_queued
from convener.exchange.models import ImportJob
from convener.people.models import Membership, Person

pytestmark = pytest.mark.django_db


def people_csv(n: int, start: int = 0) -> str:
    return "id,name\n" + "".join(f"p{i},Person Number{i}\n" for i in range(start, start + n))


def workbook(path, rows, declared: str | None = None):
    """An XLSX with a people sheet holding ``rows``; ``declared`` rewrites the range the
    sheet claims to cover, as a crafted file would."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "people"
    sheet.append(["id", "name"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    if declared is None:
        return path
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
    sheet_xml, count = re.subn(r'<dimension ref="[^"]*"', f'<dimension ref="{declared}"', sheet_xml)
    assert count == 1
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_a_workbook_claiming_twenty_thousand_rows_is_read_as_the_rows_it_holds(
    tmp_path, monkeypatch
):
    """The crafted file of the issue: a few kilobytes whose sheet says it reaches row 20,000.
    Every cell the reader converts is counted: only the header and the two rows are."""
    path = workbook(tmp_path / "people.xlsx", [["ada", "Ada Lovelace"], ["bo", "Bo Chen"]])
    workbook(path, [["ada", "Ada Lovelace"], ["bo", "Bo Chen"]], declared="A1:Z20000")
    assert path.stat().st_size < 10_000
    seen = []
    real_cell = reading._cell
    monkeypatch.setattr(reading, "_cell", lambda v: seen.append(v) or real_cell(v))
    report = import_path(path)
    assert report.ok, report.problems
    assert sorted(Person.objects.values_list("name", flat=True)) == ["Ada Lovelace", "Bo Chen"]
    assert len(seen) == 6  # two header cells and two rows of two cells


def test_a_workbook_declaring_more_rows_or_columns_than_the_limit_is_refused_by_name(tmp_path):
    path = workbook(tmp_path / "people.xlsx", [["ada", "Ada Lovelace"]], declared="A1:B1048576")
    with pytest.raises(ImportFileError) as info:
        import_path(path)
    assert "sheet people: declares 1,048,575 rows" in str(info.value)
    assert "limit of 100,000 rows per kind" in str(info.value)
    path = workbook(tmp_path / "wide.xlsx", [["ada", "Ada Lovelace"]], declared="A1:XFD3")
    path = path.rename(tmp_path / "people.xlsx")
    with pytest.raises(ImportFileError, match=r"declares 16,384 columns .* limit of 100 columns"):
        import_path(path)


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_before_it_is_parsed(
    tmp_path, settings
):
    settings.IMPORT_MAX_BYTES = 2**20  # 1 MB; a workbook may unpack to 8 MB
    path = workbook(tmp_path / "people.xlsx", [["ada", "Ada Lovelace"]])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", " " * (9 * 2**20))  # compresses to a few KB
    assert path.stat().st_size < 2**20
    with pytest.raises(ImportFileError) as info:
        import_path(path)
    assert "unpacks to 9.0 MB, more than the limit of 8.0 MB" in str(info.value)


def test_a_csv_with_more_rows_than_the_limit_is_refused_naming_the_limit_and_the_count(
    tmp_path, settings
):
    settings.IMPORT_MAX_ROWS = 1_000
    (tmp_path / "people.csv").write_text(people_csv(1_500))
    with pytest.raises(ImportFileError) as info:
        import_path(tmp_path / "people.csv")
    message = str(info.value)
    assert "people.csv: 1,500 rows, more than the limit of 1,000 rows per kind" in message
    assert "CONVENER_IMPORT_MAX_ROWS" in message
    assert Person.objects.count() == 0


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 2**20
    (tmp_path / "people.csv").write_text(people_csv(1) + "x" * int(1.5 * 2**20))
    with pytest.raises(ImportFileError) as info:
        import_path(tmp_path / "people.csv")
    assert "people.csv: 1.5 MB, larger than the limit of 1.0 MB per file" in str(info.value)


def test_a_field_longer_than_csv_allows_is_a_clear_error_not_a_crash(tmp_path):
    (tmp_path / "people.csv").write_text('id,name\nx,"' + "y" * 200_000 + '"\n')
    with pytest.raises(ImportFileError, match="people.csv, row 2: not readable as CSV"):
        import_path(tmp_path / "people.csv")


@contextmanager
def statements_counted():
    """Every statement sent to the database, with how many values it binds."""
    bound = []

    def wrapper(execute, sql, params, many, context):
        rows = params if many else [params]
        bound.extend(len(p or ()) for p in rows)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield bound


def test_no_statement_of_a_large_import_binds_more_values_than_the_database_takes(tmp_path):
    """The issue's 394,534-row CSV failed with "too many SQL variables". Here SQLite is held
    to the 999 values of builds before 3.32 (PostgreSQL takes 65,535): 1,200 people, their
    memberships, and the same file imported again, which looks every one of them up."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
        limit = 999
    else:
        limit = 65_535
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "people.csv").write_text(people_csv(1_200))
    (folder / "memberships.csv").write_text(
        "person,start\n" + "".join(f"p{i},{1990 + i % 30}\n" for i in range(1_200))
    )
    try:
        with statements_counted() as bound:
            first = import_path(folder)
            again = import_path(folder)
    finally:
        if connection.vendor == "sqlite":
            connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)
    assert first.ok and again.ok, (first.problems[:3], again.problems[:3])
    assert first.created["people"] == 1_200 and again.unchanged["memberships"] == 1_200
    assert Membership.objects.count() == 1_200
    assert max(bound) <= limit


# -- the upload page and the worker -----------------------------------------------------------


def test_an_upload_larger_than_the_limit_is_refused_with_the_limit_and_its_size(
    client, login, settings
):
    settings.IMPORT_MAX_BYTES = 2**20
    login("manager")
    big = SimpleUploadedFile("people.csv", (people_csv(1) + "x" * (2 * 2**20)).encode())
    response = client.post("/import/", {"file": big})
    assert response.status_code == 400
    text = response.content.decode()
    assert "larger than the limit of 1.0 MB per file" in text
    assert re.search(r"The upload \(2\.0 MB\)", text)
    assert not ImportJob.objects.exists() and not Person.objects.exists()


def test_a_large_upload_is_imported_by_the_worker_with_its_progress_on_a_page(client, login):
    manager = login("manager")
    big = SimpleUploadedFile("people.csv", people_csv(3_000).encode())
    response = client.post("/import/", {"file": big})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/import/jobs/{job.pk}/"
    assert Person.objects.count() == 0  # nothing imported inside the request
    page = client.get(response["Location"]).content.decode()
    assert '<progress id="progress" max="100" value="0">' in page
    assert "Waiting for the worker" in page
    assert client.get(f"/import/jobs/{job.pk}/progress.json").json()["state"] == "queued"
    call_command("worker", verbosity=0)  # one round of the worker
    assert Person.objects.count() == 3_000
    job.refresh_from_db()
    assert job.state == "done" and job.content is None and job.requested_by == manager
    page = client.get(f"/import/jobs/{job.pk}/").content.decode()
    assert "Imported: institutions: 0 new" not in page
    assert "people: 3000 new, 0 updated, 0 unchanged" in page
    assert "<progress" not in page
    history = Person.objects.get(external_id="p7").history.get()
    assert history.history_user == manager  # the history says who imported


def test_a_queued_import_with_a_problem_writes_nothing_and_its_page_lists_the_problem(
    client, login
):
    login("manager")
    text = people_csv(2_500) + "bad,Bad Orcid,12\n"
    text = text.replace("id,name\n", "id,name,orcid\n", 1)
    response = client.post("/import/", {"file": SimpleUploadedFile("people.csv", text.encode())})
    assert response.status_code == 302
    assert run_queued() == 1
    page = client.get(response["Location"]).content.decode()
    assert "1 problem; nothing was written" in page
    assert "<td>people</td><td>2502</td><td>orcid</td><td>12</td>" in page
    assert Person.objects.count() == 0


def test_the_progress_is_told_as_the_import_goes(tmp_path, monkeypatch):
    from convener.exchange import jobs

    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    job = queue_import("people.csv", people_csv(1_000).encode())
    told = []
    job = run(job, progress=lambda percent, note: told.append((percent, note)))
    assert job.state == "done" and job.report["ok"]
    percents = [p for p, _ in told]
    assert percents == sorted(percents) and percents[0] == 0 and percents[-1] >= 99
    assert ("people: row 251 of 1,000" in [n for _, n in told]) or any(
        "people: row" in n for _, n in told
    )
    assert job.progress == 100


@pytest.mark.django_db(transaction=True)
def test_a_page_reads_the_progress_while_the_import_still_runs(monkeypatch):
    """The import holds its transaction open; its page still sees how far it is."""
    from convener.exchange import jobs

    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    job = queue_import("people.csv", people_csv(600).encode())
    job.state = ImportJob.State.RUNNING
    job.save()
    seen = []

    def look(percent, note):
        seen.append(jobs.progress_of(ImportJob.objects.defer("content").get(pk=job.pk)))

    jobs.run(job, progress=look)
    midway = [(p, n) for p, n in seen if 0 < p < 100]
    assert midway and all("people" in n for _, n in midway)


def test_the_command_queues_an_import_and_follows_it_to_its_report(tmp_path, capsys):
    (tmp_path / "people.csv").write_text(people_csv(5))
    call_command("import", str(tmp_path / "people.csv"), "--queue")
    out = capsys.readouterr().out
    job = ImportJob.objects.get()
    assert f"Queued import {job.pk} of people.csv" in out
    assert Person.objects.count() == 0
    run_queued()
    call_command("import", "--follow", str(job.pk), verbosity=0)
    assert "Imported: people: 5 new, 0 updated, 0 unchanged." in capsys.readouterr().out
    (tmp_path / "people.csv").write_text("id,name,orcid\nz,Z,12\n")
    call_command("import", str(tmp_path / "people.csv"), "--queue")
    second = ImportJob.objects.latest("pk")
    run_queued()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import", "--follow", str(second.pk), verbosity=0)


def test_a_manager_sees_only_their_own_imports_and_staff_see_all(client, login):
    first = login("manager")
    job = queue_import("people.csv", people_csv(1).encode(), user=first)
    assert client.get(f"/import/jobs/{job.pk}/").status_code == 200
    login("manager")  # another manager
    assert client.get(f"/import/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/import/jobs/{job.pk}/progress.json").status_code == 404
    assert f"/import/jobs/{job.pk}/" not in client.get("/import/").content.decode()
    login("staff")
    assert client.get(f"/import/jobs/{job.pk}/").status_code == 200


@pytest.mark.parametrize(
    "role,status",
    [
        (None, 302),
        ("member", 403),
        ("committee_member", 403),
        ("manager", 200),
        ("diversity_officer", 403),
        ("staff", 200),
    ],
)
def test_each_role_may_or_may_not_follow_an_import(client, login, role, status):
    user = login(role)
    job = queue_import("people.csv", people_csv(1).encode(), user=user)
    for url in (f"/import/jobs/{job.pk}/", f"/import/jobs/{job.pk}/progress.json"):
        assert client.get(url).status_code == status


def test_a_queued_file_that_cannot_be_read_says_why_on_its_page(client, login):
    manager = login("manager")
    job = queue_import("people.csv", b"id,nom\nx,y\n", user=manager)
    run_queued()
    page = client.get(f"/import/jobs/{job.pk}/").content.decode()
    assert "people.csv: missing column(s) name" in page
    job.refresh_from_db()
    assert job.state == "done" and not job.ok and job.content is None


SST = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _with_padded_strings(path, padding: int, part: str = "xl/sharedStrings.xml"):
    """Give the workbook at ``path`` a shared-strings part (named ``part``, declared by its
    content type as a spreadsheet program does) holding ``padding`` one-letter strings:
    tiny once compressed, large once unpacked."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts[part] = (f'<sst xmlns="{SST}">' + "<si><t>x</t></si>" * padding + "</sst>").encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace(
        "</Types>", f'<Override PartName="/{part}" ContentType="{SST_TYPE}" /></Types>'
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_a_workbook_whose_shared_strings_unpack_beyond_the_limit_is_refused(tmp_path, settings):
    """Finding 8b: 125 KB holding 51 MB of shared strings passed the eightfold limit on the
    whole workbook. Here, at a limit of 1 MB: 100,000 strings of 17 bytes are 1.6 MB of
    shared strings (within the 8 MB the whole workbook may unpack to), and are refused."""
    settings.IMPORT_MAX_BYTES = 2**20
    path = _with_padded_strings(workbook(tmp_path / "people.xlsx", [["ada", "Ada"]]), 100_000)
    assert path.stat().st_size < 2**20 // 10  # the compressed file is small
    with pytest.raises(ImportFileError) as info:
        reading.read_tables(path)
    assert str(info.value) == (
        "people.xlsx: its shared strings unpack to 1.6 MB, more than the limit of 1.0 MB "
        "(CONVENER_IMPORT_MAX_MB); split the workbook"
    )


def test_the_shared_strings_are_found_whatever_the_part_is_called(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 2**20
    path = workbook(tmp_path / "people.xlsx", [["ada", "Ada"]])
    _with_padded_strings(path, 100_000, part="xl/worksheets/notes.xml")
    with pytest.raises(ImportFileError, match="its shared strings unpack to 1.6 MB"):
        reading.read_tables(path)


def test_a_workbook_with_shared_strings_within_the_limit_is_read(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 2**20
    path = _with_padded_strings(workbook(tmp_path / "people.xlsx", [["ada", "Ada"]]), 1_000)
    assert reading.read_tables(path) == {"people": [(2, {"id": "ada", "name": "Ada"})]}
