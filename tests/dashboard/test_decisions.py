import datetime as dt
import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn
from clients.models import Episode, LevelOfCare, LevelOfCareChange
from dashboard.models import Decision
from dashboard.services import decision_record, is_override
from tests.dashboard.progress_data import history_build

LONG_RATIONALE = "Team agreed: stable housing, sponsor, and a job that conflicts with the evening track."


@pytest.fixture
def ready(episode1, therapist):
    """episode1 (admitted 8 weeks ago) ready to step down today, not ready to graduate."""
    return history_build(episode1, weeks=6, author=therapist)


def _record(episode, kind, by, rationale="Reviewed at the team meeting.", **kw):
    return decision_record(
        episode=episode, kind=kind, rationale=rationale, by=by, decided_on=timezone.localdate(), **kw
    )


def _markers_command(mrn, day):
    out = io.StringIO()
    call_command("markers", "--mrn", mrn, "--as-of", day.isoformat(), "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_evidence_is_the_markers_command_output_for_that_day(ready, casemanager):
    day = timezone.localdate() - dt.timedelta(days=3)
    expected = _markers_command("RIC-0001", day)

    decision = decision_record(
        episode=ready, kind=Decision.Kind.CONTINUE, rationale="Keep going.", by=casemanager, decided_on=day
    )

    decision.refresh_from_db()
    assert decision.evidence == expected
    assert decision.evidence["as_of"] == day.isoformat()


def test_step_down_of_a_ready_client_ends_the_episode_and_opens_outpatient(ready, casemanager):
    assert _markers_command("RIC-0001", timezone.localdate())["step_down"]["status"] == "ready"

    decision = _record(ready, Decision.Kind.STEP_DOWN, casemanager)

    ready.refresh_from_db()
    today = timezone.localdate()
    assert (ready.status, ready.ended_on, ready.end_reason) == (Episode.Status.STEPPED_DOWN, today, "stepped_down")
    op = decision.resulting_episode
    assert (op.level_of_care, op.status, op.admitted_on) == (LevelOfCare.OP, Episode.Status.ACTIVE, today)
    assert (op.site, op.primary_therapist, op.case_manager, op.client) == (
        ready.site,
        ready.primary_therapist,
        ready.case_manager,
        ready.client,
    )
    assert op.ref == "RIC-0001-2"
    assert LevelOfCareChange.objects.filter(episode=op, level_of_care=LevelOfCare.OP, effective_on=today).exists()
    assert decision.is_override is False
    assert decision.evidence["step_down"]["status"] == "ready"


def test_graduation_of_a_client_not_ready_is_an_override_that_needs_a_real_rationale(ready, casemanager):
    with pytest.raises(ValidationError, match="override"):
        _record(ready, Decision.Kind.GRADUATE, casemanager, rationale="Done.")
    ready.refresh_from_db()
    assert ready.status == Episode.Status.ACTIVE
    assert not Decision.objects.exists()

    decision = _record(ready, Decision.Kind.GRADUATE, casemanager, rationale=LONG_RATIONALE)

    ready.refresh_from_db()
    assert decision.is_override is True
    assert decision.evidence["graduation"]["status"] != "ready"
    assert (ready.status, ready.end_reason, ready.ended_on) == ("graduated", "graduated", timezone.localdate())


def test_step_down_without_history_is_an_override(episode1, casemanager):
    decision = _record(episode1, Decision.Kind.STEP_DOWN, casemanager, rationale=LONG_RATIONALE)
    assert decision.is_override is True
    assert decision.evidence["step_down"]["status"] == "not_ready"


@pytest.mark.parametrize(
    "kind, step_down, graduation, expected",
    [
        ("step_down", "ready", "not_ready", False),
        ("step_down", "approaching", "not_ready", True),
        ("step_down", "not_ready", "ready", True),
        ("graduate", "ready", "ready", False),
        ("graduate", "ready", "approaching", True),
        ("continue", "not_ready", "not_ready", False),
        ("continue", "ready", "ready", False),
        ("step_up", "ready", "ready", False),
        ("discharge", "ready", "not_ready", False),
    ],
)
def test_override_rule(kind, step_down, graduation, expected):
    evidence = {"step_down": {"status": step_down}, "graduation": {"status": graduation}}
    assert is_override(kind, evidence) is expected


def test_continue_changes_nothing(ready, casemanager):
    decision = _record(ready, Decision.Kind.CONTINUE, casemanager)
    ready.refresh_from_db()
    assert ready.status == Episode.Status.ACTIVE and ready.level_of_care == LevelOfCare.IOP
    assert decision.resulting_episode is None
    assert Episode.objects.count() == 1


def test_step_up_moves_to_php_and_appends_the_level_history(episode1, casemanager):
    _record(episode1, Decision.Kind.STEP_UP, casemanager)
    episode1.refresh_from_db()
    assert (episode1.level_of_care, episode1.status) == (LevelOfCare.PHP, Episode.Status.ACTIVE)
    levels = list(LevelOfCareChange.objects.filter(episode=episode1).values_list("level_of_care", flat=True))
    assert levels == [LevelOfCare.PHP]  # the factory wrote no admission row; the history only grows
    with pytest.raises(ValidationError, match="already"):
        _record(episode1, Decision.Kind.STEP_UP, casemanager)
    assert Decision.objects.count() == 1


def test_discharge_ends_with_the_reason_given(episode1, casemanager):
    with pytest.raises(ValidationError):
        _record(episode1, Decision.Kind.DISCHARGE, casemanager)
    _record(episode1, Decision.Kind.DISCHARGE, casemanager, end_reason=Episode.EndReason.LEFT_AGAINST_ADVICE)
    episode1.refresh_from_db()
    assert (episode1.status, episode1.end_reason) == (Episode.Status.DISCHARGED, "left_against_advice")


def test_no_decision_dated_in_the_future(episode1, casemanager):
    with pytest.raises(ValidationError, match="future"):
        decision_record(
            episode=episode1,
            kind=Decision.Kind.CONTINUE,
            rationale="Planned.",
            by=casemanager,
            decided_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert not Decision.objects.exists()


def test_no_decision_on_an_ended_episode(episode1, casemanager):
    _record(episode1, Decision.Kind.DISCHARGE, casemanager, end_reason=Episode.EndReason.ADMINISTRATIVE)
    with pytest.raises(ValidationError, match="discharged"):
        _record(episode1, Decision.Kind.CONTINUE, casemanager)
    assert Decision.objects.count() == 1


# --- the page -----------------------------------------------------------------------------


def _url(episode):
    return reverse("dashboard:decision_new", args=[episode.client_id])


def _post(http, episode, **data):
    today = timezone.localdate().isoformat()
    return http.post(_url(episode), {"decided_on": today, "rationale": "Reviewed at the team meeting.", **data})


def test_case_manager_records_a_step_down_from_the_page(as_casemanager, ready):
    response = _post(as_casemanager, ready, kind="step_down")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:progress", args=[ready.client_id])
    page = as_casemanager.get(response["Location"])
    assert "Decision recorded: Step down to outpatient." in page.text
    assert "RIC-0001-1 → RIC-0001-2 (OP)" in re.sub(r"<[^>]+>", "", page.text)  # each ref links its Progress


def test_the_form_shows_the_override_error_and_writes_nothing(as_casemanager, ready):
    response = _post(as_casemanager, ready, kind="graduate", rationale="Done.")
    assert response.status_code == 200
    assert "this decision is an override and needs a rationale of at least 20 characters" in response.text
    ready.refresh_from_db()
    assert ready.status == Episode.Status.ACTIVE
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "discharge"}, "Choose the reason for the discharge."),
        ({"kind": "bogus"}, "Select a valid choice."),
        ({"kind": "continue", "rationale": ""}, "This field is required."),
        ({"kind": "continue", "decided_on": "2099-01-01"}, "A decision cannot be dated in the future."),
        ({"kind": "continue", "decided_on": "01/01/2000"}, "A decision cannot be dated before the admission."),
    ],
)
def test_bad_input_shows_a_field_error_and_writes_nothing(as_casemanager, episode1, data, message):
    response = _post(as_casemanager, episode1, **data)
    assert response.status_code == 200
    assert message in response.text
    assert not Decision.objects.exists()
    episode1.refresh_from_db()
    assert episode1.status == Episode.Status.ACTIVE


def test_the_form_page_shows_the_readiness(as_casemanager, ready):
    response = as_casemanager.get(_url(ready))
    assert response.status_code == 200
    assert "Step-down readiness" in response.text
    assert "7 negative screens in a row" in response.text


def test_therapist_may_not_record_a_decision(as_therapist, episode1):
    assert as_therapist.get(_url(episode1)).status_code == 403
    assert _post(as_therapist, episode1, kind="continue").status_code == 403
    assert not Decision.objects.exists()


def test_a_client_of_another_site_is_not_found(as_casemanager, site2):
    from tests.factories import EpisodeFactory

    other = EpisodeFactory(site=site2)
    assert _post(as_casemanager, other, kind="continue").status_code == 404
    assert not Decision.objects.exists()


def test_no_decision_form_without_an_active_episode(as_casemanager, episode1, casemanager):
    _record(episode1, Decision.Kind.GRADUATE, casemanager, rationale=LONG_RATIONALE)
    response = _post(as_casemanager, episode1, kind="continue")
    assert response.status_code == 302
    assert Decision.objects.count() == 1


def test_recommendation_of_the_latest_checkin_drives_graduation_readiness(episode1, therapist, casemanager):
    history_build(episode1, weeks=6, author=therapist, recommendation=CheckIn.Recommendation.GRADUATE)
    decision = _record(episode1, Decision.Kind.STEP_DOWN, casemanager)
    assert decision.is_override is False  # a graduation recommendation also supports a step-down


def test_decisions_are_read_only_in_the_admin(as_admin, episode1, casemanager):
    decision = _record(episode1, Decision.Kind.CONTINUE, casemanager)
    assert as_admin.get(reverse("admin:dashboard_decision_changelist")).status_code == 200
    assert as_admin.get(reverse("admin:dashboard_decision_change", args=[decision.pk])).status_code == 200
    assert as_admin.get(reverse("admin:dashboard_decision_add")).status_code == 403
    response = as_admin.post(reverse("admin:dashboard_decision_change", args=[decision.pk]), {"rationale": "x"})
    assert response.status_code == 403
    decision.refresh_from_db()
    assert decision.rationale == "Reviewed at the team meeting."
