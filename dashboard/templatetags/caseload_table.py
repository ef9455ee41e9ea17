"""The caseload's rows, written as HTML in Python.

A page is 50 rows of 12 cells; through the template language each row was about 35 variable
lookups, filters and tags, 9.5 of the page's 13 ms of rendering (measured on the bench's
1,000 × 26 data). Here each row is a few format strings (as the admin's change list writes its
cells): the same markup, every value escaped
(``iop.html``: Django's ``format_html`` without its lazy wrapper). Presentation only: the values
are ``dashboard.views.PageRow``'s."""

from django import template
from django.template.defaultfilters import floatformat, pluralize
from django.urls import reverse
from django.utils.safestring import mark_safe

from iop.html import NONE, html_row, html_rows

register = template.Library()
MUTED = '<br><small class="text-body-secondary">{}</small>'
FLAG = '<span class="badge text-bg-danger me-1">{}</span>'


def _percent(rate):
    """``{% widthratio rate 1 100 %}``: the rate as a whole percent, rounded as that tag rounds."""
    return str(round(float(rate) / 1.0 * 100))


def _attendance(m):
    if m.attendance_rate_4w is None:
        text = mark_safe('<span class="text-body-secondary">no sessions</span>')  # nosec B308 B703 (a constant)
    else:
        text = f"{_percent(m.attendance_rate_4w)}%"
    if m.excused_absences_4w:
        return html_row("{}" + MUTED, text, f"{m.excused_absences_4w} excused")
    return text


def _hours(m):
    if m.hours_last_week is None:
        return NONE
    return f"{floatformat(m.hours_last_week, 1)} / {floatformat(m.required_weekly_hours, '-1')} h"


def _streak(m):
    if not m.negative_streak:
        return m.negative_streak
    days = m.negative_streak_days
    return html_row(
        '{} <small class="text-body-secondary">over {} day{}</small>', m.negative_streak, days, pluralize(days)
    )


def _recommendation(row):
    if not row.recommendation_label:
        return NONE
    return html_row("{}" + MUTED, row.recommendation_label, f"week of {row.latest_checkin_text}")


def _flags(row):
    if not row.flags:
        return mark_safe('<span class="text-body-secondary">none</span>')  # nosec B308 B703 (a constant)
    return html_rows("", FLAG, ((label,) for _, label in row.flag_labels))


ROW = (
    '<tr><th scope="row"><a href="{}">{}, {}</a><br><small class="text-body-secondary">{}</small></th>'
    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
    '<td><span class="badge {}">{}</span></td><td><span class="badge {}">{}</span></td><td>{}</td></tr>'
)


def _row(row):
    return html_row(
        ROW,
        reverse("dashboard:progress", args=[row.client_id]),
        row.last_name,
        row.display_first_name,
        row.mrn,
        row.track_name or NONE,
        row.weeks_in_program,
        _attendance(row),
        _hours(row),
        _streak(row),
        row.last_screen_text or NONE,
        NONE if row.goals_on_track is None else f"{_percent(row.goals_on_track)}%",
        _recommendation(row),
        row.step_down_badge,
        row.step_down_label,
        row.graduation_badge,
        row.graduation_label,
        _flags(row),
    )


@register.simple_tag
def caseload_rows(rows):
    """``<tr>`` per caseload row: the client (a link to their Progress tab), track, markers,
    readiness badges and flags."""
    return html_rows("\n", "{}", ((_row(row),) for row in rows))
