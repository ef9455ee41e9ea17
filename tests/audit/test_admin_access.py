"""Admin pages that show a client's data are access events, like the app's own pages."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from tests.factories import AttendanceFactory, EpisodeFactory, GoalFactory, ScreenFactory, SessionFactory


def _event(user):
    return AccessEvent.objects.get(user=user)


def test_the_admin_change_page_of_a_client_is_a_view_event(as_admin, admin_user, episode1):
    url = reverse("admin:clients_client_change", args=[episode1.client_id])
    assert as_admin.get(url).status_code == 200
    event = _event(admin_user)
    assert (event.action, event.path, event.client_ids) == ("view", url, [episode1.client_id])


def test_the_admin_history_pages_of_a_client_are_view_events(as_admin, admin_user, episode1):
    client = episode1.client
    history = reverse("admin:clients_client_history", args=[client.pk])
    version = reverse("admin:clients_client_simple_history", args=[client.pk, client.history.first().history_id])
    assert as_admin.get(history).status_code == 200
    assert as_admin.get(version).status_code == 200
    events = AccessEvent.objects.filter(user=admin_user).order_by("pk")
    assert [(e.action, e.path, e.client_ids) for e in events] == [
        ("view", history, [client.pk]),
        ("view", version, [client.pk]),
    ]


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda ep: ep, "clients_episode"),
        (lambda ep: ScreenFactory(episode=ep), "screening_screen"),
        (lambda ep: GoalFactory(episode=ep), "goals_goal"),  # (check-in admin pages: issue 12 #8)
        (lambda ep: AttendanceFactory(episode=ep, session=SessionFactory(site=ep.site)), "attendance_attendance"),
    ],
)
def test_admin_pages_of_a_clients_rows_name_that_client(as_admin, admin_user, episode1, make, name):
    row = make(episode1)
    for view in ("change", "history"):
        assert as_admin.get(reverse(f"admin:{name}_{view}", args=[row.pk])).status_code == 200
    assert [e.client_ids for e in AccessEvent.objects.filter(user=admin_user)] == [[episode1.client_id]] * 2


def test_a_session_in_the_admin_names_every_client_on_its_roster(as_admin, admin_user, episode1, site1, track1):
    session = SessionFactory(site=site1, track=track1)
    other = EpisodeFactory(site=site1, track=track1)
    for ep in (episode1, other):
        AttendanceFactory(session=session, episode=ep)
    assert as_admin.get(reverse("admin:attendance_session_change", args=[session.pk])).status_code == 200
    assert _event(admin_user).client_ids == sorted([episode1.client_id, other.client_id])


def test_the_admin_client_list_is_one_list_event_with_the_clients_shown(as_admin, admin_user, episode1, site2):
    other = EpisodeFactory(site=site2).client
    url = reverse("admin:clients_client_changelist")
    assert as_admin.get(url, {"q": "Diaz"}).status_code == 200
    assert as_admin.get(url).status_code == 200
    events = AccessEvent.objects.filter(user=admin_user).order_by("pk")
    assert [(e.action, e.path, e.client_ids) for e in events] == [
        ("list", url, [episode1.client_id]),
        ("list", url, sorted([episode1.client_id, other.pk])),
    ]
