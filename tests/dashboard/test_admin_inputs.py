"""An edit in the admin changes a marker input as much as one through the services: the
caseload's snapshot of that episode goes stale with it and is recomputed, never left showing the
row as it was (issue 16: "a snapshot can never be wrong silently")."""

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import Attendance
from clients.models import Episode
from clients.services import episodes_inputs_changed
from dashboard.queries import episode_evaluations
from dashboard.snapshots import refresh_stale
from goals.models import GoalRating, Worksheet
from iop.dates import week_start
from screening.models import Screen
from tests.admin_helpers import form_data
from tests.dashboard.test_queries import build_caseload
from tests.dashboard.test_snapshots import differences


def _last_screen(episode):
    return "screening_screen", Screen.objects.filter(episode=episode).latest("collected_at"), {"entered_in_error": "on"}


def _an_attendance(episode):
    return (
        "attendance_attendance",
        Attendance.objects.filter(episode=episode).latest("session__date"),
        {"status": "absent", "minutes_attended": "0"},
    )


def _a_session(episode):
    last_week = week_start(timezone.localdate())  # a session of a complete week: its hours count
    session = Attendance.objects.filter(episode=episode, session__date__lt=last_week).latest("session__date").session
    return "attendance_session", session, {"status": "cancelled"}


def _the_episode(episode):
    return "clients_episode", episode, {"required_weekly_hours": "20"}


def _a_rating(episode):
    return "goals_goalrating", GoalRating.objects.filter(worksheet__episode=episode).first(), {"rating": "1"}


def _a_worksheet_rating(episode):
    worksheet = Worksheet.objects.get(episode=episode)
    return "goals_worksheet", worksheet, {"ratings-0-rating": "1", "ratings-1-rating": "1"}


@pytest.mark.parametrize(
    "edit",
    [_last_screen, _an_attendance, _a_session, _the_episode, _a_rating, _a_worksheet_rating],
    ids=lambda f: f.__name__,
)
def test_an_admin_edit_of_a_marker_input_is_on_the_next_caseload(as_admin, site1, track1, therapist, casemanager, edit):
    today = timezone.localdate()
    episode, other = build_caseload(2, site=site1, track=track1, therapist=therapist, as_of=today)
    refresh_stale(Episode.objects.all(), today)
    before = episode_evaluations([episode], today)[episode.pk].as_dict()
    model, row, changes = edit(episode)
    url = reverse(f"admin:{model}_change", args=[row.pk])
    data = form_data(as_admin.get(url))
    data.update(changes)

    response = as_admin.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    episode.refresh_from_db()
    assert episode_evaluations([episode], today)[episode.pk].as_dict() != before  # the edit moved a marker
    assert refresh_stale(Episode.objects.all(), today) >= 1  # this episode's snapshot was stale…
    assert differences(today) == []  # …and is now what a fresh evaluation gives


def test_a_revert_from_the_admin_history_is_on_the_next_caseload(as_admin, site1, track1, therapist, casemanager):
    """The history page's form saves the row without the change form's inlines: it marks too."""
    today = timezone.localdate()
    (episode,) = build_caseload(1, site=site1, track=track1, therapist=therapist, as_of=today)
    url = reverse("admin:clients_episode_change", args=[episode.pk])
    data = form_data(as_admin.get(url))
    for hours in ("2", "20"):  # (the caseload's rows are written in bulk, without history)
        as_admin.post(url, {**data, "required_weekly_hours": hours})
    refresh_stale(Episode.objects.all(), today)
    first = episode.history.earliest("history_date")  # 2 hours a week
    history_url = reverse("admin:clients_episode_simple_history", args=[episode.pk, first.history_id])
    data = form_data(as_admin.get(history_url))

    response = as_admin.post(history_url, data)

    assert response.status_code == 302
    assert Episode.objects.get(pk=episode.pk).required_weekly_hours == 2
    assert refresh_stale(Episode.objects.all(), today) == 1
    assert differences(today) == []


def test_a_row_added_to_a_roster_in_the_admin_marks_its_episode(as_admin, site1, track1, therapist, casemanager):
    """A session's inline rows can belong to an episode that was not on its roster before."""
    today = timezone.localdate()
    on, off = build_caseload(2, site=site1, track=track1, therapist=therapist, as_of=today)
    last_week = week_start(today)
    row = Attendance.objects.filter(episode=off, session__date__lt=last_week).latest("session__date")
    session = row.session
    row.delete()  # (test set-up) ``off`` was not on this roster…
    episodes_inputs_changed(episode_ids=[off.pk])
    refresh_stale(Episode.objects.all(), today)  # …and its snapshot says so
    url = reverse("admin:attendance_session_change", args=[session.pk])
    data = form_data(as_admin.get(url))
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS") and "attendance" in k).removesuffix("-TOTAL_FORMS")
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(n + 1),
            f"{prefix}-{n}-episode": str(off.pk),
            f"{prefix}-{n}-status": "absent",
            f"{prefix}-{n}-minutes_attended": "0",
        }
    )

    response = as_admin.post(url, data)

    assert response.status_code == 302
    assert Attendance.objects.filter(session=session, episode=off, status="absent").exists()
    assert refresh_stale(Episode.objects.all(), today) >= 1
    assert differences(today) == []
