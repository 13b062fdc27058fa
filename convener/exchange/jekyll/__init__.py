"""Publication on the collaboration's Jekyll website: data files under ``_data/convener/``,
ready includes under ``_includes/convener/``, a stylesheet under ``assets/convener/`` and pages
under the site's chosen prefix (``/leadership/`` unless configured), fitted to the site by its
own settings. See docs/jekyll.md for the settings and the fields of every data file."""

from .config import NotAJekyllSite, SiteConfig, SiteConfigError, read_config
from .publish import MARKER, Outcome, publish, render

__all__ = [
    "MARKER",
    "NotAJekyllSite",
    "Outcome",
    "SiteConfig",
    "SiteConfigError",
    "publish",
    "read_config",
    "render",
]
