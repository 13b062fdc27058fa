from django import template

from convener.core.text import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Markdown rendered to sanitized HTML."""
    return render_markdown(text)


@register.filter(name="has_role")
def has_role_filter(user, role):
    """``{% if user|has_role:"manager" %}``: the same rule as the views' decorators."""
    from convener.core.roles import has_role

    return has_role(user, role)
