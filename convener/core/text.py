"""Helpers for free text: slugs and Markdown rendered safely."""

import markdown as md
import nh3
from django.utils.safestring import mark_safe
from django.utils.text import slugify

_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "code",
    "pre",
    "blockquote",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def markdown_html(text: str) -> str:
    """Markdown to HTML with every tag, attribute and URL scheme outside a safe list removed."""
    html = md.markdown(text or "", extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "th": {"scope"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> str:
    """The sanitized HTML of ``markdown_html``, marked safe for templates."""
    return mark_safe(markdown_html(text))  # noqa: S308 - sanitized by nh3


def unique_slug(model, text: str, *, exclude_pk=None, max_length: int = 80) -> str:
    """A slug for ``text`` not yet used by another row of ``model``."""
    base = slugify(text)[: max_length - 6].strip("-") or "item"
    slug, n = base, 1
    qs = model._default_manager.all()
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    taken = set(qs.filter(slug__startswith=base).values_list("slug", flat=True))
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug
