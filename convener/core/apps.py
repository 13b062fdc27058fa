from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "convener.core"
    verbose_name = "Core"

    def ready(self):
        from . import menu  # noqa: F401 - connects the sign-in receiver
        from .inputs import install_field_validators
        from .private_files import install as keep_files_private

        # no control characters and no date outside the kept range, on every path in
        install_field_validators()
        # the SQLite database readable by its owner only
        keep_files_private()
