from django import template

from convener.core.text import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Markdown rendered to sanitized HTML."""
    return render_markdown(text)


@register.filter
def get_item(mapping, key):
    """``mapping[key]``, or an empty list when the key is absent."""
    return mapping.get(key, []) if mapping else []
