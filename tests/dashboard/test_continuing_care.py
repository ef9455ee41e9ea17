"""Graduation into continuing care: when the aftercare plan names a continuing-care group (and
the decision form's checkbox stays checked), an outpatient episode on that group opens the same
day, through the step-down's follow-on path (issue 14, "Continuing care")."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from aftercare.models import FollowUp
from aftercare.services import aftercare_plan_save
from attendance.queries import roster_episodes
from clients.models import Episode, LevelOfCare
from dashboard.models import Decision
from dashboard.services import CONTINUING_CARE_WEEKLY_HOURS, decision_record
from programs.schedule import MONTHLY
from tests.aftercare.conftest import PLAN
from tests.factories import SessionFactory, TrackFactory

RATIONALE = "Team agreed: 14 weeks, goals met; continues in the monthly alumni group."


@pytest.fixture
def alumni(site1):
    return TrackFactory(
        site=site1,
        code="RIC-ALU",
        name="Alumni group",
        weekdays=["tue"],
        cadence=MONTHLY,
        month_week=1,
        continuing_care=True,
        start_time=dt.time(18),
        end_time=dt.time(19, 30),
    )


def _graduate(episode, by, **kw):
    return decision_record(
        episode=episode, kind=Decision.Kind.GRADUATE, rationale=RATIONALE, by=by, decided_on=timezone.localdate(), **kw
    )


def test_graduation_into_continuing_care_opens_an_op_episode_on_the_group(episode1, casemanager, alumni):
    decision = _graduate(episode1, casemanager, continuing_care_track=alumni)

    episode1.refresh_from_db()
    today = timezone.localdate()
    assert (episode1.status, episode1.ended_on) == (Episode.Status.GRADUATED, today)
    op = decision.resulting_episode
    assert (op.ref, op.level_of_care, op.status, op.admitted_on, op.track) == (
        "RIC-0001-2",
        LevelOfCare.OP,
        Episode.Status.ACTIVE,
        today,
        alumni,
    )
    assert op.required_weekly_hours == CONTINUING_CARE_WEEKLY_HOURS == 0  # a monthly group: no weekly hours
    assert (op.primary_therapist, op.case_manager) == (episode1.primary_therapist, episode1.case_manager)
    assert Episode.objects.filter(client=episode1.client, status=Episode.Status.ACTIVE).get() == op
    assert FollowUp.objects.filter(episode=episode1).count() == 3  # the graduate is still followed up
    # The group's next session takes the graduate on its roster like any other.
    session = SessionFactory(site=alumni.site, track=alumni, date=today, start_time=dt.time(18), duration_minutes=90)
    assert op in roster_episodes(session)


def test_graduation_without_continuing_care_opens_nothing(episode1, casemanager):
    decision = _graduate(episode1, casemanager)
    assert decision.resulting_episode is None
    assert not Episode.objects.filter(status=Episode.Status.ACTIVE).exists()


@pytest.mark.parametrize(
    "track_kw, kind, message",
    [
        ({"continuing_care": False}, Decision.Kind.GRADUATE, "is not an active continuing-care group"),
        ({"active": False}, Decision.Kind.GRADUATE, "is not an active continuing-care group"),
        ({"site_other": True}, Decision.Kind.GRADUATE, "is not an active continuing-care group"),
        ({}, Decision.Kind.STEP_DOWN, "at a graduation only"),
    ],
)
def test_a_wrong_continuing_care_request_is_refused_with_nothing_written(
    episode1, casemanager, site1, site2, track_kw, kind, message
):
    site = site2 if track_kw.pop("site_other", False) else site1
    track = TrackFactory(
        site=site, weekdays=["tue"], cadence=MONTHLY, month_week=1, **{"continuing_care": True, **track_kw}
    )
    with pytest.raises(ValidationError, match=message):
        decision_record(
            episode=episode1,
            kind=kind,
            rationale=RATIONALE,
            by=casemanager,
            decided_on=timezone.localdate(),
            continuing_care_track=track,
        )
    episode1.refresh_from_db()
    assert episode1.status == Episode.Status.ACTIVE
    assert (Decision.objects.count(), Episode.objects.count(), FollowUp.objects.count()) == (0, 1, 0)


def _url(episode):
    return reverse("dashboard:decision_new", args=[episode.client_id])


def _post(http, episode, **data):
    today = timezone.localdate().isoformat()
    return http.post(_url(episode), {"decided_on": today, "rationale": RATIONALE, **data})


def test_the_decision_form_offers_the_plans_group_checked(as_casemanager, episode1, casemanager, alumni):
    assert "Open a continuing-care episode" not in as_casemanager.get(_url(episode1)).text  # no plan yet
    aftercare_plan_save(episode=episode1, fields={**PLAN, "continuing_care_track": alumni}, by=casemanager)

    page = as_casemanager.get(_url(episode1))
    assert "Open a continuing-care episode in Alumni group" in page.text
    assert page.context["form"]["continuing_care"].initial is True
    assert "First Tuesday of the month" in page.text

    response = _post(as_casemanager, episode1, kind="graduate", continuing_care="on")
    assert response.status_code == 302
    shown = as_casemanager.get(response["Location"]).text
    assert "continuing-care episode RIC-0001-2 opened" in shown
    assert "RIC-0001-1 → RIC-0001-2 (OP)" in strip_tags(shown)  # each ref links to its Progress
    assert Episode.objects.get(ref="RIC-0001-2").track == alumni


def test_unchecking_the_box_graduates_without_an_episode(as_casemanager, episode1, casemanager, alumni):
    aftercare_plan_save(episode=episode1, fields={**PLAN, "continuing_care_track": alumni}, by=casemanager)
    assert _post(as_casemanager, episode1, kind="graduate").status_code == 302  # box unchecked
    assert Decision.objects.get().resulting_episode is None
    assert Episode.objects.count() == 1


def test_a_step_down_ignores_the_box(as_casemanager, episode1, casemanager, alumni):
    aftercare_plan_save(episode=episode1, fields={**PLAN, "continuing_care_track": alumni}, by=casemanager)
    assert _post(as_casemanager, episode1, kind="step_down", continuing_care="on").status_code == 302
    op = Decision.objects.get().resulting_episode
    assert (op.level_of_care, op.track) == (LevelOfCare.OP, None)  # the step-down's own OP episode


def test_the_plan_names_continuing_care_groups_only(episode1, casemanager, track1):
    with pytest.raises(ValidationError) as error:
        aftercare_plan_save(episode=episode1, fields={**PLAN, "continuing_care_track": track1}, by=casemanager)
    assert error.value.message_dict["continuing_care_track"] == ["Evening is not a continuing-care group."]
