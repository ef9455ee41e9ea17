"""The rows of the Progress tab's four history tables, written as HTML in Python.

A 26-week stay has about 130 rows and 600 cells: through the template language they were more
than half of the tab's rendering (4.3 of 7.5 ms, measured on the bench's 1,000 × 26 data), each
cell a variable lookup and a filter. Here each row is one format string (as the admin's change
list writes its cells), the same markup, every value escaped
(``iop.html``: Django's ``format_html_join`` without its lazy wrapper). Presentation only: the
values are ``dashboard.history.episode_history``'s."""

from django import template
from django.template.defaultfilters import floatformat

from iop.html import NONE, html_rows
from screening.templatetags.screens import interpretation_badge

register = template.Library()


def _or_none(value):
    return NONE if value is None else value


def _week_status(week):
    if week["met"]:
        return "Met"
    return "Week in progress" if week["current"] else "Short"


@register.simple_tag
def hours_rows(weeks):
    """``<tr>`` per week: the week, its hours, Met / Week in progress / Short."""
    return html_rows(
        "\n",
        '<tr><th scope="row">{}</th><td class="text-end">{}</td><td>{}</td></tr>',
        ((w["day_text"], floatformat(w["hours"], "-1"), _week_status(w)) for w in weeks),
    )


@register.simple_tag
def screen_rows(screens):
    """``<tr>`` per screen: the day, its reading as a badge, the positives, the method."""
    return html_rows(
        "\n",
        '<tr><th scope="row">{}</th><td><span class="badge {}">{}</span></td><td>{}</td><td>{}</td></tr>',
        (
            (s["day_text"], interpretation_badge(s["interpretation"]), s["label"], s["positives"] or NONE, s["method"])
            for s in screens
        ),
    )


def _rating_cells(ratings):
    return html_rows("", '<td class="text-end">{}</td>', ((_or_none(r),) for r in ratings))


@register.simple_tag
def rating_rows(weeks):
    """``<tr>`` per worksheet week: the week, then each goal's rating (— where not rated)."""
    return html_rows(
        "\n",
        '<tr><th scope="row">{}</th>{}</tr>',
        ((w["day_text"], _rating_cells(w["ratings"])) for w in weeks),
    )


@register.simple_tag
def checkin_rows(checkins):
    """``<tr>`` per signed check-in: the week, cravings, PHQ-9, GAD-7, the recommendation."""
    return html_rows(
        "\n",
        '<tr><th scope="row">{}</th><td class="text-end">{}</td><td class="text-end">{}</td>'
        '<td class="text-end">{}</td><td>{}</td></tr>',
        (
            (c["day_text"], _or_none(c["cravings"]), _or_none(c["phq9"]), _or_none(c["gad7"]), c["recommendation"])
            for c in checkins
        ),
    )
