"""`convener import --jekyll SITE --mapping FILE`: a collaboration that keeps its people and
its organization in its own Jekyll site's YAML starts its registry with them."""

import datetime as dt
import re

import pytest
from django.core.management import CommandError, call_command

from convener.exchange.jekyll.site_import import MappingError, import_site
from convener.org.models import OrgUnit
from convener.people.models import Affiliation, Person
from tests.exchange import fixture
from tests.factories import InstitutionFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(tmp_path):
    for name, short, country in [
        ("Testville Institute", "TVI", "CH"),
        ("Lakeside University", "", "DE"),
        ("Northfield Laboratory", "NFL", "US"),
    ]:
        InstitutionFactory(name=name, short_name=short, country=country)
    return fixture.copy(tmp_path)


def test_the_sites_people_and_units_become_the_registrys(site):
    report = import_site(site, site / "convener-mapping.yml")
    assert report.ok, report.problems
    people = {p.external_id: p for p in Person.objects.all()}
    assert sorted(people) == [
        "ivaldes",
        "lwhite",
        "mrossi",
        "okamara",
        "pnguyen",
        "tbreuer",
        "yandersen",
    ]
    ingrid = people["ivaldes"]
    assert (ingrid.name, ingrid.orcid) == ("Ingrid Valdés", "0000-0002-1825-0097")
    assert ingrid.photo_url == "https://www.example.org/collab/assets/img/ivaldes.svg"
    assert ingrid.website == "https://www.example.org/~ivaldes/"
    assert people["okamara"].website == ""
    affiliations = {
        (a.person.external_id, a.institution.name, str(a.start_date))
        for a in Affiliation.objects.select_related("person", "institution")
    }
    assert ("ivaldes", "Testville Institute", "2012") in affiliations
    assert ("tbreuer", "Lakeside University", "2015-09") in affiliations
    assert ("okamara", "Lakeside University", "2016-01-15") in affiliations
    assert len(affiliations) == 7
    units = {
        u.external_id: (
            u.name,
            u.parent.external_id if u.parent else None,
            u.level,
            u.kind,
            u.order,
        )
        for u in OrgUnit.objects.select_related("parent")
    }
    assert units == {
        "wbs-1": ("Physics", None, 1, "area", "1"),
        "wbs-1.1": ("Oscillations", "wbs-1", 2, "area", "1.1"),
        "wbs-2": ("Detector", None, 1, "area", "2"),
        "wbs-2.1": ("Tracker", "wbs-2", 2, "area", "2.1"),
        "wbs-2.1.1": ("Strips", "wbs-2.1", 3, "group", "2.1.1"),
        "wbs-2.1.2": ("Pixel Modules", "wbs-2.1", 3, "group", "2.1.2"),
        "wbs-2.2": ("Calorimeter", "wbs-2", 2, "area", "2.2"),
        "wbs-10": ("Computing", None, 1, "area", "10"),
    }
    detector = OrgUnit.objects.get(external_id="wbs-2")
    assert (detector.short_name, detector.start, detector.start_precision) == (
        "detector",
        dt.date(2015, 1, 1),
        "year",
    )
    again = import_site(site, site / "convener-mapping.yml")
    assert again.ok
    assert again.summary() == (
        "people: 0 new, 0 updated, 7 unchanged; affiliations: 0 new, 0 updated, 7 unchanged; "
        "units: 0 new, 0 updated, 8 unchanged"
    )


def test_a_dry_run_reports_what_would_be_imported_and_writes_nothing(site, capsys):
    call_command(
        "import", jekyll=str(site), mapping=str(site / "convener-mapping.yml"), dry_run=True
    )
    out = capsys.readouterr().out
    assert out.strip() == (
        "Would import: people: 7 new, 0 updated, 0 unchanged; affiliations: 7 new, 0 updated, "
        "0 unchanged; units: 8 new, 0 updated, 0 unchanged; public profile links of 7 people; "
        "order of 8 units."
    )
    assert not Person.objects.exists() and not OrgUnit.objects.exists()
    assert not Affiliation.objects.exists()


def test_bad_values_are_reported_by_the_sites_file_and_field_and_nothing_is_written(site):
    people = site / "_data" / "people"
    (people / "tbreuer.yml").write_text(
        (people / "tbreuer.yml").read_text() + "orcid: 0000-0002-1825-0098\n"
    )
    (people / "pnguyen.yml").write_text(
        (people / "pnguyen.yml").read_text().replace("Northfield Laboratory", "Southfield Lab")
    )
    (people / "okamara.yml").write_text(
        (people / "okamara.yml").read_text() + "homepage: ftp://files.example.org/okamara\n"
    )
    report = import_site(site, site / "convener-mapping.yml")
    assert report.problems == [
        "_data/people/okamara.yml (okamara), homepage: 'ftp://files.example.org/okamara' "
        "Enter a valid URL.",
        "_data/people/pnguyen.yml (pnguyen), affiliation: 'Southfield Lab' is not an "
        "institution of the registry (add it first, with its country)",
    ]
    assert not Person.objects.exists()
    del report
    (people / "okamara.yml").write_text(
        (people / "okamara.yml").read_text().replace("ftp://files", "https://files")
    )
    (people / "pnguyen.yml").write_text(
        (people / "pnguyen.yml").read_text().replace("Southfield Lab", "NFL")
    )
    # now only the registry's own rules are left to find the wrong check digit
    report = import_site(site, site / "convener-mapping.yml")
    assert report.problems == [
        "_data/people/tbreuer.yml (tbreuer), orcid: 0000-0002-1825-0098 is not a valid ORCID "
        "iD: its check digit is wrong."
    ]
    assert not Person.objects.exists() and not OrgUnit.objects.exists()


def test_what_the_site_leaves_empty_keeps_the_registrys_value(site):
    kept = PersonFactory(
        name="Marta Rossi-Lindgren",
        external_id="mrossi",
        pronouns="she/her",
        orcid="0000-0002-1694-233X",
        website="https://www.example.org/~marta/",
    )
    report = import_site(site, site / "convener-mapping.yml")
    assert report.ok, report.problems
    kept.refresh_from_db()
    assert kept.pronouns == "she/her" and kept.orcid == "0000-0002-1694-233X"
    assert kept.website == "https://www.example.org/~marta/"
    assert kept.photo_url == "https://www.example.org/collab/assets/img/mrossi.svg"
    assert kept.history.count() == 2  # created, then the photo set (an audited change)


def test_an_affiliation_without_a_start_date_is_left_out_and_said_so(site, tmp_path):
    mapping = (
        (site / "convener-mapping.yml").read_text().replace("    institution_start: joined\n", "")
    )
    (tmp_path / "mapping.yml").write_text(mapping)
    report = import_site(site, tmp_path / "mapping.yml")
    assert report.ok and not Affiliation.objects.exists()
    assert (
        "_data/people/ivaldes.yml (ivaldes): works at Testville Institute, but the site gives "
        "no start date (map institution_start): the affiliation is not recorded"
    ) in report.notes


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            "people:\n  source: _data/people\n  fields:\n    mail: email\n",
            "unknown registry field(s) mail",
        ),
        ("people:\n  source: _data/staff\n", "source _data/staff: the site has no such file"),
        ("people:\n  fields:\n    name: name\n", "people: name the site's data with source:"),
        ("groups:\n  source: _data/org.yml\n", "expected a people: and/or a units: section"),
    ],
)
def test_a_mapping_that_cannot_be_used_is_refused_by_name(site, tmp_path, mapping, message):
    (tmp_path / "mapping.yml").write_text(mapping)
    with pytest.raises(MappingError, match=re.escape(message)):
        import_site(site, tmp_path / "mapping.yml")
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import", jekyll=str(site), mapping=str(tmp_path / "mapping.yml"))
    assert not Person.objects.exists()


def test_a_site_file_that_is_not_yaml_is_named(site):
    (site / "_data" / "people" / "tbreuer.yml").write_text("name: [Tomasz\n")
    with pytest.raises(MappingError, match="_data/people/tbreuer.yml is not readable YAML"):
        import_site(site, site / "convener-mapping.yml")
    assert not Person.objects.exists()
