"""Issue 15: honest rosters (nothing pre-selected, make-up add keeps the draft, the facilitator
recorded), cancelling a session with a reason and giving it a topic."""

from uuid import uuid4

from django.urls import reverse

from attendance.models import Attendance, Session
from tests.attendance.test_views import roster_data, roster_url
from tests.factories import EpisodeFactory, SessionFactory, TrackFactory


def test_an_untouched_roster_has_no_status_selected_and_saving_it_is_refused_per_client(
    as_therapist, evening, episode1, make_clients
):
    ben = make_clients(1)[0]
    page = as_therapist.get(roster_url(evening))
    assert page.context["form"][f"status_{episode1.pk}"].value() in ("", None)
    assert "selected>Present" not in page.content.decode()

    untouched = roster_data(evening, [episode1, ben], status="")
    response = as_therapist.post(roster_url(evening), untouched)

    assert response.status_code == 400
    body = response.content.decode()
    assert f"Choose a status for {episode1.client.full_name}." in body
    assert f"Choose a status for {ben.client.full_name}." in body
    assert not Attendance.objects.exists()
    assert Session.objects.get(pk=evening.pk).status == Session.Status.SCHEDULED


def test_one_unmarked_client_refuses_the_whole_roster(as_therapist, evening, episode1, make_clients):
    ben = make_clients(1)[0]
    data = roster_data(evening, [episode1, ben])
    data[f"status_{ben.pk}"] = ""
    response = as_therapist.post(roster_url(evening), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert f"Choose a status for {ben.client.full_name}." in body
    assert f"Choose a status for {episode1.client.full_name}." not in body
    assert not Attendance.objects.exists()


def test_the_mark_all_present_button_is_on_the_roster(as_therapist, evening, episode1):
    body = as_therapist.get(roster_url(evening)).content.decode()
    assert "Mark all present" in body


def test_adding_a_make_up_client_keeps_the_statuses_and_group_note_typed_and_saves_nothing(
    as_therapist, evening, episode1, site1
):
    makeup = EpisodeFactory(site=site1, track=TrackFactory(site=site1))
    draft = roster_data(evening, [episode1], status="late", minutes="150", note="Arrived after break.")
    draft.update(group_note="Urge surfing practice.", add=makeup.pk, makeup="1")

    response = as_therapist.post(roster_url(evening), draft)

    assert response.status_code == 200
    form = response.context["form"]
    assert {e.pk for e in form.episodes} == {episode1.pk, makeup.pk}
    assert form[f"status_{episode1.pk}"].value() == "late"
    assert str(form[f"minutes_{episode1.pk}"].value()) == "150"
    assert form[f"note_{episode1.pk}"].value() == "Arrived after break."
    assert form["group_note"].value() == "Urge surfing practice."
    assert form[f"status_{makeup.pk}"].value() in ("", None)
    assert "make-up" in response.content.decode()
    assert not Attendance.objects.exists()
    assert Session.objects.get(pk=evening.pk).group_note == ""


def test_a_make_up_of_another_site_posted_is_not_added(as_therapist, evening, episode1, site2):
    stranger = EpisodeFactory(site=site2)
    draft = roster_data(evening, [episode1])
    draft.update(add=stranger.pk, makeup="1")
    response = as_therapist.post(roster_url(evening), draft)
    assert {e.pk for e in response.context["form"].episodes} == {episode1.pk}


def test_the_facilitator_is_whoever_takes_the_roster_and_is_shown_on_the_signed_note(
    as_therapist, therapist, site1, track1, episode1, today
):
    generated = SessionFactory(site=site1, track=track1, date=today, status="scheduled", facilitator=None)
    assert as_therapist.post(roster_url(generated), roster_data(generated, [episode1])).status_code == 302
    assert Session.objects.get(pk=generated.pk).facilitator == therapist

    as_therapist.post(reverse("attendance:session_sign", args=[generated.pk]))
    name = therapist.get_full_name() or therapist.username
    assert f"facilitator {name}" in as_therapist.get(roster_url(generated)).content.decode()
    tab = as_therapist.get(reverse("attendance:client", args=[episode1.client_id])).content.decode()
    assert f"facilitator {name}" in tab


def test_a_facilitator_chosen_before_the_roster_is_kept(as_therapist, evening, episode1, admin_user):
    Session.objects.filter(pk=evening.pk).update(facilitator=admin_user)
    evening.refresh_from_db()
    as_therapist.post(roster_url(evening), roster_data(evening, [episode1]))
    assert Session.objects.get(pk=evening.pk).facilitator == admin_user


# --- cancel and topic ------------------------------------------------------------------------


def cancel_url(session):
    return reverse("attendance:session_cancel", args=[session.pk])


def test_a_scheduled_session_is_cancelled_with_its_reason_shown_and_nothing_deleted(
    as_therapist, therapist, evening, episode1
):
    response = as_therapist.post(cancel_url(evening), {"reason": "Facilitator ill", "submission_key": uuid4()})
    assert response.status_code == 302
    cancelled = Session.objects.get(pk=evening.pk)
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_by) == (
        "cancelled",
        "Facilitator ill",
        therapist,
    )
    page = as_therapist.get(roster_url(evening)).content.decode()
    assert "Reason: Facilitator ill" in page and "counts for no one" in page
    assert Session.history.filter(id=evening.pk, status="cancelled").exists()


def test_cancelling_needs_a_reason(as_therapist, evening):
    response = as_therapist.post(cancel_url(evening), {"reason": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Session.objects.get(pk=evening.pk).status == "scheduled"


def test_a_held_session_cannot_be_cancelled(as_therapist, evening, episode1):
    as_therapist.post(roster_url(evening), roster_data(evening, [episode1]))
    response = as_therapist.post(cancel_url(evening), {"reason": "Mistake"})
    assert response.status_code == 400
    assert "cannot be cancelled" in response.content.decode()
    assert Session.objects.get(pk=evening.pk).status == "held"


def test_a_repeated_cancel_submit_is_replayed_not_refused(as_therapist, evening):
    data = {"reason": "Building closed", "submission_key": uuid4()}
    as_therapist.post(cancel_url(evening), data)
    again = as_therapist.post(cancel_url(evening), data)
    assert again.status_code == 302
    assert Session.objects.get(pk=evening.pk).cancel_reason == "Building closed"


def test_a_case_manager_may_not_cancel_and_another_site_gets_404(as_casemanager, as_therapist2, evening):
    assert as_casemanager.post(cancel_url(evening), {"reason": "x"}).status_code == 403
    assert as_therapist2.post(cancel_url(evening), {"reason": "x"}).status_code == 404
    assert Session.objects.get(pk=evening.pk).status == "scheduled"


def test_a_session_is_given_a_topic(as_therapist, evening):
    url = reverse("attendance:session_topic", args=[evening.pk])
    assert as_therapist.post(url, {"topic": "Relapse warning signs", "submission_key": uuid4()}).status_code == 302
    assert Session.objects.get(pk=evening.pk).topic == "Relapse warning signs"
    assert "Topic: Relapse warning signs" in as_therapist.get(roster_url(evening)).content.decode()


def test_a_signed_session_topic_cannot_change(as_therapist, evening, episode1):
    as_therapist.post(roster_url(evening), roster_data(evening, [episode1]))
    as_therapist.post(reverse("attendance:session_sign", args=[evening.pk]))
    response = as_therapist.post(reverse("attendance:session_topic", args=[evening.pk]), {"topic": "Changed"})
    assert response.status_code == 400
    assert Session.objects.get(pk=evening.pk).topic != "Changed"
