"""Numbers in the review's tables, formatted the same way everywhere."""

from django import template

register = template.Library()


@register.filter
def pct(value, digits=0):
    """0.1234 -> "12%" (or "12.3%" with ``|pct:1``); nothing known -> "–"."""
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def num(value, digits=2):
    """A statistic to ``digits`` decimals; nothing known -> "–"."""
    if value is None or value == "":
        return "–"
    return f"{float(value):.{int(digits)}f}"


@register.filter
def pvalue(value):
    """p-values: three decimals, and "< 0.001" below that."""
    if value is None:
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


@register.filter
def p_equals(value):
    """A p-value in words: "p = 0.012" or "p < 0.001"."""
    from convener.review.stats import p_text

    return p_text(value) if value is not None else "p –"


@register.filter
def short_reason(reason: str) -> str:
    """Why a figure is not shown, in a few words (the method section says it in full)."""
    if not reason:
        return "not shown"
    # one wording for every figure hidden to protect answers: telling a small group from a
    # figure hidden for what it would give away would say which side of 5 it is on
    if reason.startswith("withheld"):
        return "withheld"
    if reason.startswith("hidden"):
        return "hidden"
    if "fewer than" in reason:
        return "too few answers"
    return reason
