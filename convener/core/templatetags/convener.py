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


@register.filter
def ends_in(term, today):
    """A succession term's end in words ("ends in 5 days")."""
    return term.ends_in(today)


@register.filter
def bare_label(label):
    """A field's label without its closing punctuation, to go before a colon."""
    return str(label).rstrip(" ?:")


@register.filter(name="has_role")
def has_role_filter(user, role):
    """``{% if user|has_role:"manager" %}``: the same rule as the views' decorators."""
    from convener.core.roles import has_role

    return has_role(user, role)
