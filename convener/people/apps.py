from django.apps import AppConfig
from django.db.backends.signals import connection_created

# SQLite's UPPER folds ASCII letters only ("JÜRG" would not find "Jürgen"): on SQLite the
# person picker's search text is upper-cased by this function, Python's, as its words are
SQLITE_UPPER = "convener_upper"


def _python_upper(text):
    return None if text is None else str(text).upper()


def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_UPPER, 1, _python_upper, deterministic=True)


class PeopleConfig(AppConfig):
    name = "convener.people"
    verbose_name = "People and institutions"

    def ready(self):
        connection_created.connect(_register_sqlite_functions, dispatch_uid="convener-sqlite-upper")
