"""Presentation of screen readings: the Bootstrap colour of each interpretation.

The rules (screening.interpretation) say what a screen means; this says how it looks.
Templates always print the label beside the colour.
"""

from django import template

register = template.Library()

BADGE_CLASS = {
    "negative": "text-bg-success",
    "expected_positive": "text-bg-info",
    "unexpected_positive": "text-bg-danger",
    "inconclusive": "text-bg-warning",
    "invalid": "text-bg-warning",
    "refused": "text-bg-warning",
    "missed": "text-bg-secondary",
    "pending_confirmation": "text-bg-light border",
}


@register.filter
def interpretation_badge(interpretation):
    """``{{ row.interpretation|interpretation_badge }}`` → a badge CSS class."""
    return BADGE_CLASS.get(str(interpretation), "text-bg-light border")
