"""People recorded before the folded sort key get one, their sort names kept as stored, and
their duplicate keys read again with compound surnames (migration people 0007)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("people", "0006_person_name_trigram_index")]
AFTER = [("people", "0007_person_sort_key")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_old_people_get_a_folded_sort_key_and_fresh_duplicate_keys():
    old = _migrate(BEFORE)
    try:
        Person = old.get_model("people", "Person")
        for slug, name, sort_name in [
            ("wierzba", "Marek Wierzba", "Wierzba, Marek"),
            ("ruvere", "Giulia della Ruvere", "della Ruvere, Giulia"),
            ("hamel", "Aurélien Hamel de Vry", "de Vry, Aurélien Hamel"),
            ("akker", "Jan Piet van den Akker", "van den Akker, Jan Piet"),
            ("durand", "Émile Durand", "Durand, Émile"),
        ]:
            Person.objects.create(slug=slug, name=name, sort_name=sort_name, match_key="x")
    finally:
        new = _migrate(AFTER)
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    Person = new.get_model("people", "Person")
    rows = Person.objects.order_by("sort_key")
    # stored sort names are kept as they are (an old derived one may be right, as for
    # "Jan Piet van den Akker", or wrong, as for "Hamel de Vry": no one can tell which), and
    # folded for the order
    assert [(p.slug, p.sort_name, p.sort_key) for p in rows] == [
        ("hamel", "de Vry, Aurélien Hamel", "de vry, aurelien hamel"),
        ("ruvere", "della Ruvere, Giulia", "della ruvere, giulia"),
        ("durand", "Durand, Émile", "durand, emile"),
        ("akker", "van den Akker, Jan Piet", "van den akker, jan piet"),
        ("wierzba", "Wierzba, Marek", "wierzba, marek"),
    ]
    hamel = Person.objects.get(slug="hamel")
    assert (hamel.match_key, hamel.match_block) == ("hamel de vry a", "ham a")
